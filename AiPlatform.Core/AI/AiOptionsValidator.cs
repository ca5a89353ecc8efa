using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.AI;

/// <summary>
/// Refuses a provider configuration that would only fail at the first chat (unknown kind, no endpoint, two models
/// with one id), so a misconfigured deployment stops at startup with every problem named.
/// </summary>
public sealed partial class AiOptionsValidator : IValidateOptions<AiOptions>
{
    public ValidateOptionsResult Validate(string? name, AiOptions options)
    {
        var errors = new List<string>();
        var providerNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { AiProviderKinds.Local };
        var modelIds = new HashSet<string>(StringComparer.Ordinal) { ModelCatalog.LocalModelId };

        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var path = $"AI:Providers:{i}";
            if (!ProviderName().IsMatch(provider.Name))
            {
                errors.Add($"{path}:Name '{provider.Name}' must be letters, digits, '-' or '_' (it names the provider's HttpClient).");
            }
            else if (!providerNames.Add(provider.Name))
            {
                errors.Add($"{path}:Name '{provider.Name}' is used twice (or is the reserved 'local').");
            }

            if (provider.Kind is not (AiProviderKinds.OpenAI or AiProviderKinds.AzureOpenAI))
            {
                errors.Add($"{path}:Kind '{provider.Kind}' is unknown: use '{AiProviderKinds.OpenAI}' or '{AiProviderKinds.AzureOpenAI}'.");
            }

            if (!Uri.TryCreate(provider.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
            {
                errors.Add($"{path}:Endpoint is missing or not an absolute http(s) URL (provider '{provider.Name}').");
            }

            if (provider.Kind == AiProviderKinds.AzureOpenAI && string.IsNullOrWhiteSpace(provider.ApiKey))
            {
                errors.Add($"{path}:ApiKey is required for an {AiProviderKinds.AzureOpenAI} provider (provider '{provider.Name}').");
            }

            if (provider.Models.Count == 0)
            {
                errors.Add($"{path}:Models is empty: provider '{provider.Name}' offers no model.");
            }

            for (var j = 0; j < provider.Models.Count; j++)
            {
                ValidateModel(provider.Models[j], $"{path}:Models:{j}", modelIds, errors);
            }
        }

        if (!modelIds.Contains(options.DefaultModel))
        {
            errors.Add($"AI:DefaultModel '{options.DefaultModel}' is not a configured model.");
        }

        ValidateLocalAndResilience(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateModel(AiModelOptions model, string path, HashSet<string> modelIds, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(model.Id))
        {
            errors.Add($"{path}:Id is required.");
        }
        else if (!modelIds.Add(model.Id))
        {
            errors.Add($"{path}:Id '{model.Id}' is used by another model (or is the built-in 'local'): model ids must be unique across providers.");
        }

        if (model.ContextWindow <= 0 || model.MaxOutputTokens <= 0 || model.MaxOutputTokens >= model.ContextWindow)
        {
            errors.Add($"{path}: MaxOutputTokens ({model.MaxOutputTokens}) must be positive and below ContextWindow ({model.ContextWindow}).");
        }

        if (model.InputCostPer1kTokens < 0 || model.OutputCostPer1kTokens < 0)
        {
            errors.Add($"{path}: costs cannot be negative.");
        }

        if (model.Capabilities.Count > 0 && (!model.Capabilities.Contains(ModelCapabilities.Chat) || model.Capabilities.Except(ModelCapabilities.All).Any()))
        {
            errors.Add($"{path}:Capabilities must include '{ModelCapabilities.Chat}' and only list {string.Join(", ", ModelCapabilities.All)}.");
        }
    }

    private static void ValidateLocalAndResilience(AiOptions options, List<string> errors)
    {
        if (options.Local.TokenDelayMs < 0 || options.Local.InputCostPer1kTokens < 0 || options.Local.OutputCostPer1kTokens < 0)
        {
            errors.Add("AI:Local: TokenDelayMs and costs cannot be negative.");
        }

        var resilience = options.Resilience;
        if (resilience.AttemptTimeoutSeconds < 1 || resilience.TotalTimeoutSeconds < resilience.AttemptTimeoutSeconds)
        {
            errors.Add("AI:Resilience: AttemptTimeoutSeconds must be 1 or more and TotalTimeoutSeconds at least as long.");
        }

        if (resilience.MaxRetryAttempts is < 1 or > 10 || resilience.RetryDelayMs < 0)
        {
            errors.Add("AI:Resilience: MaxRetryAttempts must be between 1 and 10 and RetryDelayMs cannot be negative.");
        }

        if (resilience.CircuitBreakerMinimumThroughput < 2 || resilience.CircuitBreakDurationSeconds < 1)
        {
            errors.Add("AI:Resilience: CircuitBreakerMinimumThroughput must be 2 or more and CircuitBreakDurationSeconds 1 or more.");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex ProviderName();
}
