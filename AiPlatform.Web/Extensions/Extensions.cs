using AiPlatform.Web.Services;
using AiPlatform.Web.Services.Identity;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace AiPlatform.Web.Extensions;

public static class Extensions
{
    // "https+http://api": service discovery prefers the API's https endpoint and falls back to http.
    private static readonly Uri ApiBaseAddress = new("https+http://api");

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiHealthOptions>()
            .BindConfiguration(ApiHealthOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddConsoleServices();
    }

    /// <summary>
    /// The console's API clients and its sign-in state. Separate from <see cref="AddApplicationServices"/> so tests
    /// register exactly these, with only the network underneath replaced.
    /// </summary>
    public static IServiceCollection AddConsoleServices(this IServiceCollection services)
    {
        services.AddApiClients();
        services.AddSignIn();
        return services;
    }

    private static void AddApiClients(this IServiceCollection services)
    {
        // A health probe must report what it sees, promptly: the standard resilience handler that ServiceDefaults
        // puts on every client would retry a 503 and a refused connection for ~15 s before the page could say so.
        // RemoveAllResilienceHandlers is still marked experimental (EXTEXP0001); it is the documented way to opt out.
#pragma warning disable EXTEXP0001
        services.AddHttpClient<ApiHealthClient>(c => c.BaseAddress = ApiBaseAddress)
            .ConfigureHttpClient((sp, c) => c.Timeout = sp.GetRequiredService<IOptions<ApiHealthOptions>>().Value.Timeout)
            .RemoveAllResilienceHandlers();

        services.AddTransient<BearerTokenHandler>();
        services.AddHttpClient<AuthClient>(c => c.BaseAddress = ApiBaseAddress).AddSafeResilience();
        services.AddHttpClient<AccountClient>(c => c.BaseAddress = ApiBaseAddress).AddSafeResilience()
            .AddHttpMessageHandler<BearerTokenHandler>();
        services.AddHttpClient<AssistantsClient>(c => c.BaseAddress = ApiBaseAddress).AddSafeResilience()
            .AddHttpMessageHandler<BearerTokenHandler>();
        services.AddHttpClient<DocumentsClient>(c => c.BaseAddress = ApiBaseAddress).AddSafeResilience()
            .AddHttpMessageHandler<BearerTokenHandler>();
        services.AddHttpClient<ConversationsClient>(c => c.BaseAddress = ApiBaseAddress).AddSafeResilience()
            .AddHttpMessageHandler<BearerTokenHandler>()
            // Stop must end a streamed reply at once. By default a response disposed unfinished is first drained (up to
            // 2 s) to reuse the connection; meanwhile the model keeps generating and the API stores a complete answer.
            .ConfigurePrimaryHttpMessageHandler((handler, _) =>
            {
                if (handler is SocketsHttpHandler sockets)
                {
                    sockets.MaxResponseDrainSize = 0;
                }
            });
    }

    // The standard handler retries every method; retrying a POST would create a second assistant or send a chat message
    // twice, and a refresh token presented twice revokes the session. So: the standard handler, retrying safe methods only.
    private static IHttpClientBuilder AddSafeResilience(this IHttpClientBuilder client)
    {
        client.RemoveAllResilienceHandlers()
            .AddStandardResilienceHandler(options => options.Retry.DisableForUnsafeHttpMethods());
        return client;
    }
#pragma warning restore EXTEXP0001

    private static void AddSignIn(this IServiceCollection services)
    {
        services.AddScoped<UserSession>();
        services.AddScoped<SignInService>();
        services.AddScoped<AuthenticationStateProvider, SessionAuthenticationStateProvider>();
        services.AddCascadingAuthenticationState();
        services.AddAuthorizationCore();

        services.AddSingleton<CircuitServicesAccessor>();
        services.AddScoped<CircuitHandler, CircuitServicesAccessorHandler>();
    }
}
