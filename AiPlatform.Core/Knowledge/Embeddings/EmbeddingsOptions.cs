namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// Bound from the "Embeddings" configuration section: which generator embeds each tenant's documents and queries.
/// <code>
/// "Embeddings": {
///   "Default": "local",
///   "Providers": [ { "Name": "openai-small", "Kind": "openai", "Endpoint": "https://api.openai.com/v1",
///                    "ApiKey": "…", "Model": "text-embedding-3-small", "Dimensions": 1536 } ],
///   "Tenants": { "0193…": "openai-small" },
///   "Local": { "VectorsPath": "…", "PackagePath": "…" }
/// }
/// </code>
/// </summary>
public sealed class EmbeddingsOptions
{
    public const string SectionName = "Embeddings";

    /// <summary>The provider of tenants not listed in <see cref="Tenants"/>: "local" (built in) or a <see cref="Providers"/> name.</summary>
    public string Default { get; set; } = LocalEmbeddingGenerator.ProviderName;

    public List<EmbeddingProviderOptions> Providers { get; set; } = [];

    /// <summary>Tenant id → provider name, for tenants that do not use <see cref="Default"/>.</summary>
    public Dictionary<string, string> Tenants { get; set; } = [];
}

/// <summary>A remote embedding model, one entry of "Embeddings:Providers".</summary>
public sealed class EmbeddingProviderOptions
{
    /// <summary>Any OpenAI-compatible <c>POST {Endpoint}/embeddings</c>: OpenAI, Azure OpenAI (v1 API), Ollama, text-embeddings-inference.</summary>
    public const string OpenAIKind = "openai";

    /// <summary>What "Default" and "Tenants" call it; "local" is taken by the built-in generator.</summary>
    public string Name { get; set; } = "";

    public string Kind { get; set; } = OpenAIKind;

    /// <summary>The API's base address, with its version segment: <c>https://api.openai.com/v1</c>,
    /// <c>https://{resource}.openai.azure.com/openai/v1</c>, <c>http://localhost:11434/v1</c> (Ollama).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Sent as a bearer token; servers without keys (Ollama, text-embeddings-inference) need none.</summary>
    public string? ApiKey { get; set; }

    public string Model { get; set; } = "";

    /// <summary>The length of the model's vectors; an answer of another length is refused, so an index never mixes sizes.</summary>
    public int Dimensions { get; set; }

    /// <summary>Asks the server to shorten vectors to <see cref="Dimensions"/> (the <c>dimensions</c> parameter, which
    /// OpenAI's text-embedding-3 models accept and others may reject).</summary>
    public bool RequestDimensions { get; set; }
}
