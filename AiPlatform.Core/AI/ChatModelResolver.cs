using AiPlatform.Core.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiPlatform.Core.AI;

/// <summary>Gives the Semantic Kernel chat service that runs a catalog model.</summary>
public interface IChatModelResolver
{
    /// <summary>
    /// The service for <paramref name="modelId"/>: <see cref="LocalChatCompletionService"/> for <c>local</c>, SK's OpenAI
    /// connector for a provider's model, whose failures surface as <see cref="DomainException"/>s (<see cref="AiFailures"/>).
    /// An unknown id is a 422 on <c>model</c>.
    /// </summary>
    IChatCompletionService Resolve(string modelId);
}

internal sealed class ChatModelResolver(
    ModelCatalog catalog,
    IOptions<AiOptions> options,
    IHttpClientFactory httpClientFactory,
    LocalChatCompletionService local,
    ILoggerFactory loggerFactory) : IChatModelResolver
{
    private readonly Dictionary<string, AiProviderOptions> _providers = options.Value.Providers.ToDictionary(p => p.Name);
    private readonly ILogger _logger = loggerFactory.CreateLogger<ChatModelResolver>();

    public IChatCompletionService Resolve(string modelId)
    {
        if (!catalog.TryGet(modelId, out var model))
        {
            throw DomainException.Validation("model", $"'{modelId}' is not an available model; GET /api/v1/models lists them.");
        }

        if (model.ProviderKind == AiProviderKinds.Local)
        {
            return local;
        }

        var provider = _providers[model.ProviderName];
        // A client per call, as IHttpClientFactory intends: the handlers behind it (and their circuit breaker) are pooled.
        // Azure's key travels in AzureApiKeyHandler's header, so the connector gets none for its bearer token.
#pragma warning disable SKEXP0010 // The custom-endpoint constructor is marked experimental; it is what OpenAI-compatible servers need.
        var connector = new OpenAIChatCompletionService(
            model.Id,
            new Uri(provider.Endpoint.TrimEnd('/')),
            apiKey: provider.Kind == AiProviderKinds.AzureOpenAI ? null : provider.ApiKey,
            httpClient: httpClientFactory.CreateClient(AiModelsExtensions.HttpClientName(provider.Name)),
            loggerFactory: loggerFactory);
#pragma warning restore SKEXP0010
        return new ProviderChatCompletionService(connector, provider.Name, _logger);
    }
}
