using Microsoft.Extensions.Options;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>Checks "Embeddings" at start-up, so that a typo fails the deployment rather than a tenant's first upload.</summary>
internal sealed class EmbeddingsOptionsValidator : IValidateOptions<EmbeddingsOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddingsOptions options)
    {
        var errors = new List<string>();
        var known = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { LocalEmbeddingGenerator.ProviderName };
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var at = $"Embeddings:Providers:{i}";
            if (string.IsNullOrWhiteSpace(provider.Name) || !known.Add(provider.Name))
            {
                errors.Add($"{at}:Name must be set, unique and not '{LocalEmbeddingGenerator.ProviderName}' (it is '{provider.Name}').");
            }

            if (!string.Equals(provider.Kind, EmbeddingProviderOptions.OpenAIKind, StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"{at}:Kind '{provider.Kind}' is unknown; the kind is '{EmbeddingProviderOptions.OpenAIKind}'.");
            }

            if (provider.Endpoint is not { IsAbsoluteUri: true } endpoint || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{at}:Endpoint must be an absolute http(s) address such as https://api.openai.com/v1.");
            }

            if (string.IsNullOrWhiteSpace(provider.Model))
            {
                errors.Add($"{at}:Model must be set.");
            }

            if (provider.Dimensions is < 1 or > 65536)
            {
                errors.Add($"{at}:Dimensions must be the model's vector length (1 to 65536), not {provider.Dimensions}.");
            }
        }

        if (!known.Contains(options.Default))
        {
            errors.Add($"Embeddings:Default '{options.Default}' names no provider; known: {string.Join(", ", known)}.");
        }

        foreach (var (tenant, provider) in options.Tenants)
        {
            if (!Guid.TryParse(tenant, out _))
            {
                errors.Add($"Embeddings:Tenants:{tenant} is not a tenant id.");
            }

            if (!known.Contains(provider))
            {
                errors.Add($"Embeddings:Tenants:{tenant} '{provider}' names no provider; known: {string.Join(", ", known)}.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
