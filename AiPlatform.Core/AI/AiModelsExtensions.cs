using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.AI;

public static class AiModelsExtensions
{
    /// <summary>The named HttpClient a provider's models are called through.</summary>
    public static string HttpClientName(string providerName) => $"ai-{providerName}";

    /// <summary>
    /// Registers the model catalog, <see cref="IChatModelResolver"/>, the <c>local</c> model, token counting, history
    /// trimming and usage reading, with <see cref="AiOptions"/> bound from "AI" and validated on start; and, for each
    /// configured provider, an HttpClient <c>ai-{name}</c> with a resilience pipeline of its own.
    /// Call after AddServiceDefaults, whose default resilience handler this replaces on those clients.
    /// </summary>
    public static TBuilder AddAiModels<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptions<AiOptions>().BindConfiguration(AiOptions.SectionName).ValidateOnStart();
        // Bound on their own too, for the clients' resilience pipelines: through AiOptions, any mistake in "AI" would
        // also fail the start of those pipelines' options and bury the real message in an AggregateException.
        services.AddOptions<AiResilienceOptions>().BindConfiguration($"{AiOptions.SectionName}:{nameof(AiOptions.Resilience)}");
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiOptions>, AiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter, O200kTokenCounter>();
        services.TryAddSingleton<ChatHistoryTrimmer>();
        services.TryAddSingleton<ModelUsageReader>();
        services.TryAddSingleton<ModelCatalog>();
        services.TryAddSingleton<LocalChatCompletionService>();
        services.TryAddSingleton<IChatModelResolver, ChatModelResolver>();

        // Clients are named per provider, so their names come from configuration now; everything else is read from
        // the bound (validated) options when a client is built.
        var providers = builder.Configuration.GetSection(AiOptions.SectionName).Get<AiOptions>()?.Providers ?? [];
        foreach (var provider in providers.Where(p => !string.IsNullOrWhiteSpace(p.Name)).DistinctBy(p => p.Name))
        {
            AddProviderClient(services, provider);
        }

        return builder;
    }

    private static void AddProviderClient(IServiceCollection services, AiProviderOptions configured)
    {
        var client = services.AddHttpClient(HttpClientName(configured.Name))
            .RedactLoggedHeaders(_ => true);

        // ServiceDefaults gives every client the standard handler through ConfigureHttpClientDefaults, where the builder
        // has no name: its options are the one set "-standard" and its circuit breaker is shared by every client in the
        // app, so one failing provider would open it for all. Each provider gets its own instead ("ai-{name}-standard").
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is experimental; it does exactly this.
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        // Retries 429, 5xx, 408 and transport errors, waiting as Retry-After says. A handler can only retry until the
        // response headers are in, and the OpenAI SDK's transport (System.ClientModel's HttpClientPipelineTransport)
        // always sends with HttpCompletionOption.ResponseHeadersRead: so a streamed answer is never retried, nor cut by
        // the attempt timeout, once it has begun. SK, given this client, turns the SDK's own retries and timeout off.
        client.AddStandardResilienceHandler().Configure((resilience, provider) =>
            Apply(provider.GetRequiredService<IOptions<AiResilienceOptions>>().Value, resilience));
        client.AddHttpMessageHandler(() => new JsonAnswerHandler());
        if (configured.Kind == AiProviderKinds.AzureOpenAI)
        {
            client.AddHttpMessageHandler(provider => new AzureApiKeyHandler(
                provider.GetRequiredService<IOptions<AiOptions>>().Value.Providers.First(p => p.Name == configured.Name).ApiKey!));
        }
    }

    private static void Apply(AiResilienceOptions ai, HttpStandardResilienceOptions resilience)
    {
        resilience.AttemptTimeout.Timeout = TimeSpan.FromSeconds(ai.AttemptTimeoutSeconds);
        resilience.TotalRequestTimeout.Timeout = TimeSpan.FromSeconds(ai.TotalTimeoutSeconds);
        resilience.Retry.MaxRetryAttempts = ai.MaxRetryAttempts;
        resilience.Retry.Delay = TimeSpan.FromMilliseconds(ai.RetryDelayMs);
        resilience.CircuitBreaker.MinimumThroughput = ai.CircuitBreakerMinimumThroughput;
        resilience.CircuitBreaker.BreakDuration = TimeSpan.FromSeconds(ai.CircuitBreakDurationSeconds);
        // The library insists the breaker samples over at least two attempt timeouts.
        resilience.CircuitBreaker.SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, 2 * ai.AttemptTimeoutSeconds));
    }
}
