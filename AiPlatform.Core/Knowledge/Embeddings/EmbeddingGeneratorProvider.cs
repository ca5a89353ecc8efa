using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OpenAI;
using EmbeddingClient = OpenAI.Embeddings.EmbeddingClient;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>Builds one generator per configured provider up front (no I/O) and hands them out per tenant.</summary>
internal sealed class EmbeddingGeneratorProvider : IEmbeddingGeneratorProvider, IDisposable
{
    private readonly Dictionary<string, EmbeddingGeneratorSelection> _providers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<Guid, EmbeddingGeneratorSelection> _tenants = [];
    private readonly EmbeddingGeneratorSelection _default;

    public EmbeddingGeneratorProvider(IOptions<EmbeddingsOptions> options, LocalEmbeddingGenerator local, IHttpClientFactory httpClients)
    {
        var settings = options.Value;
        _providers[LocalEmbeddingGenerator.ProviderName] = new(local, LocalEmbeddingGenerator.ModelId, LocalEmbeddingGenerator.Dimensions);
        foreach (var provider in settings.Providers)
        {
            _providers[provider.Name] = CreateOpenAI(provider, httpClients);
        }

        _default = _providers[settings.Default];
        foreach (var (tenant, provider) in settings.Tenants)
        {
            _tenants[Guid.Parse(tenant)] = _providers[provider];
        }
    }

    public EmbeddingGeneratorSelection GetGenerator(Guid tenantId) => _tenants.GetValueOrDefault(tenantId, _default);

    public IReadOnlyCollection<EmbeddingGeneratorSelection> Generators => _providers.Values;

    public void Dispose()
    {
        // The local generator is a service of its own, disposed by the container.
        foreach (var (name, selection) in _providers)
        {
            if (name != LocalEmbeddingGenerator.ProviderName)
            {
                selection.Generator.Dispose();
            }
        }
    }

    private static EmbeddingGeneratorSelection CreateOpenAI(EmbeddingProviderOptions provider, IHttpClientFactory httpClients)
    {
        var client = new EmbeddingClient(
            provider.Model,
            // Servers without keys ignore the header, but the SDK insists on a credential.
            new ApiKeyCredential(string.IsNullOrEmpty(provider.ApiKey) ? "none" : provider.ApiKey),
            new OpenAIClientOptions
            {
                Endpoint = provider.Endpoint,
                Transport = new HttpClientPipelineTransport(httpClients.CreateClient(EmbeddingsExtensions.HttpClientName)),
                // The client's standard resilience handler (ServiceDefaults) retries; SDK retries on top would multiply the attempts.
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            });
        var generator = client.AsIEmbeddingGenerator(provider.RequestDimensions ? provider.Dimensions : null);
        return new(new ConformingGenerator(generator, provider), $"{EmbeddingProviderOptions.OpenAIKind}:{provider.Model}", provider.Dimensions);
    }

    /// <summary>Holds a remote model to its configured length and to unit vectors, like the local generator's.</summary>
    private sealed class ConformingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, EmbeddingProviderOptions provider)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var generated = await base.GenerateAsync(values, options, cancellationToken);
            var conforming = new GeneratedEmbeddings<Embedding<float>>(generated.Count)
            {
                Usage = generated.Usage,
                AdditionalProperties = generated.AdditionalProperties,
            };
            foreach (var embedding in generated)
            {
                if (embedding.Vector.Length != provider.Dimensions)
                {
                    throw new InvalidOperationException(
                        $"The embedding provider '{provider.Name}' ({provider.Model}) answered with {embedding.Vector.Length}-dimensional vectors, " +
                        $"but Embeddings:Providers says {provider.Dimensions}: correct its Dimensions.");
                }

                var vector = embedding.Vector.ToArray();
                UnitVector.Normalize(vector);

                conforming.Add(new Embedding<float>(vector)
                {
                    ModelId = embedding.ModelId,
                    CreatedAt = embedding.CreatedAt,
                    AdditionalProperties = embedding.AdditionalProperties,
                });
            }

            return conforming;
        }
    }
}
