using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.Knowledge.Embeddings;

public static class EmbeddingsExtensions
{
    /// <summary>The HttpClient the "openai" providers call through (with ServiceDefaults' standard resilience handler).</summary>
    public const string HttpClientName = "embeddings";

    /// <summary>
    /// Registers <see cref="IEmbeddingGeneratorProvider"/> with <see cref="EmbeddingsOptions"/> bound from "Embeddings"
    /// (validated at start-up) and the built-in <see cref="LocalEmbeddingGenerator"/> with
    /// <see cref="LocalEmbeddingOptions"/> from "Embeddings:Local".
    /// </summary>
    public static IHostApplicationBuilder AddEmbeddings(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddingsOptions>().BindConfiguration(EmbeddingsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EmbeddingsOptions>, EmbeddingsOptionsValidator>());
        services.AddOptions<LocalEmbeddingOptions>().BindConfiguration(LocalEmbeddingOptions.SectionName);
        services.TryAddSingleton<LocalEmbeddingGenerator>();
        services.TryAddSingleton<IEmbeddingGeneratorProvider, EmbeddingGeneratorProvider>();

        services.AddHttpClient(HttpClientName)
            // The OpenAI clients hold their HttpClient for the app's lifetime, so the handler is never recycled;
            // recycling pooled connections instead keeps DNS changes visible.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return builder;
    }
}
