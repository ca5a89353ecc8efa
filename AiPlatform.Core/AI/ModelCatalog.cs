using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.AI;

/// <summary>A model the platform can call, with what it costs and can do. Holds no secret, so it can be shown.</summary>
public sealed record CatalogModel(
    string Id,
    string Name,
    string ProviderName,
    string ProviderKind,
    int ContextWindow,
    int MaxOutputTokens,
    decimal InputCostPer1kTokens,
    decimal OutputCostPer1kTokens,
    IReadOnlyList<string> Capabilities)
{
    /// <summary>What the history sent with a request may take, leaving room for the longest answer.</summary>
    public int PromptTokenBudget => ContextWindow - MaxOutputTokens;

    public bool Supports(string capability) => Capabilities.Contains(capability);

    public decimal CostOf(ModelUsage usage) =>
        usage.PromptTokens / 1000m * InputCostPer1kTokens + usage.CompletionTokens / 1000m * OutputCostPer1kTokens;
}

/// <summary>Every model from <see cref="AiOptions.Providers"/>, after the built-in <c>local</c> one, in configuration order.</summary>
public sealed class ModelCatalog
{
    public const string LocalModelId = "local";
    public const string LocalModelName = "Offline model (built-in)";
    public const int LocalContextWindow = 16384;
    public const int LocalMaxOutputTokens = 1024;

    private static readonly IReadOnlyList<string> DefaultCapabilities = [ModelCapabilities.Chat, ModelCapabilities.Streaming];

    private readonly Dictionary<string, CatalogModel> _byId;

    public ModelCatalog(IOptions<AiOptions> options)
    {
        var ai = options.Value;
        var local = new CatalogModel(LocalModelId, LocalModelName, AiProviderKinds.Local, AiProviderKinds.Local,
            LocalContextWindow, LocalMaxOutputTokens, ai.Local.InputCostPer1kTokens, ai.Local.OutputCostPer1kTokens,
            DefaultCapabilities);
        Models = [local, .. ai.Providers.SelectMany(p => p.Models.Select(m => new CatalogModel(
            m.Id, string.IsNullOrWhiteSpace(m.Name) ? m.Id : m.Name, p.Name, p.Kind, m.ContextWindow, m.MaxOutputTokens,
            m.InputCostPer1kTokens, m.OutputCostPer1kTokens, m.Capabilities.Count == 0 ? DefaultCapabilities : m.Capabilities.Distinct().ToList())))];
        // The options validator has refused duplicate ids by the time anything resolves the catalog.
        _byId = Models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        Default = _byId[ai.DefaultModel];
    }

    public IReadOnlyList<CatalogModel> Models { get; }

    public CatalogModel Default { get; }

    public bool TryGet(string id, [NotNullWhen(true)] out CatalogModel? model) => _byId.TryGetValue(id, out model);
}
