namespace AiPlatform.Core.AI;

/// <summary>Bound from the "AI" configuration section: the model providers and how they are called.</summary>
public sealed class AiOptions
{
    public const string SectionName = "AI";

    /// <summary>Remote providers. The built-in <c>local</c> model is always there besides them.</summary>
    public List<AiProviderOptions> Providers { get; set; } = [];

    /// <summary>The model used when none is named; <c>local</c> works on a machine with no model server.</summary>
    public string DefaultModel { get; set; } = ModelCatalog.LocalModelId;

    public LocalModelOptions Local { get; set; } = new();

    public AiResilienceOptions Resilience { get; set; } = new();
}

public sealed class AiProviderOptions
{
    /// <summary>Names the provider in the catalog, in error messages and in its HttpClient (<c>ai-{Name}</c>).</summary>
    public string Name { get; set; } = "";

    /// <summary>One of <see cref="AiProviderKinds"/>.</summary>
    public string Kind { get; set; } = AiProviderKinds.OpenAI;

    /// <summary>
    /// The OpenAI-compatible base address, ending in the API version: <c>https://api.openai.com/v1</c>,
    /// <c>http://localhost:11434/v1</c> (Ollama), <c>https://NAME.openai.azure.com/openai/v1</c> (Azure's v1 API).
    /// </summary>
    public string Endpoint { get; set; } = "";

    /// <summary>Secret: never logged nor returned. Optional for servers that take none (Ollama, vLLM).</summary>
    public string? ApiKey { get; set; }

    public List<AiModelOptions> Models { get; set; } = [];
}

public sealed class AiModelOptions
{
    /// <summary>Unique across providers; sent upstream as the model (for Azure, the deployment name).</summary>
    public string Id { get; set; } = "";

    /// <summary>Display name; the id when empty.</summary>
    public string? Name { get; set; }

    public int ContextWindow { get; set; } = 8192;

    public int MaxOutputTokens { get; set; } = 1024;

    public decimal InputCostPer1kTokens { get; set; }

    public decimal OutputCostPer1kTokens { get; set; }

    /// <summary>
    /// Any of <see cref="ModelCapabilities.All"/>, <c>chat</c> among them; none listed means chat and streaming.
    /// (Empty by default because configuration binding appends to a list rather than replacing it.)
    /// </summary>
    public List<string> Capabilities { get; set; } = [];
}

public sealed class LocalModelOptions
{
    /// <summary>Pause between streamed words, so the offline answer streams like a real one.</summary>
    public int TokenDelayMs { get; set; } = 20;

    public decimal InputCostPer1kTokens { get; set; }

    public decimal OutputCostPer1kTokens { get; set; }
}

/// <summary>How every model HttpClient retries, times out and breaks its circuit.</summary>
public sealed class AiResilienceOptions
{
    /// <summary>
    /// One attempt up to the response headers (a streamed answer) or the whole JSON body (a plain answer),
    /// so it must allow for the longest plain answer a model writes.
    /// </summary>
    public int AttemptTimeoutSeconds { get; set; } = 100;

    /// <summary>All attempts and the waits between them.</summary>
    public int TotalTimeoutSeconds { get; set; } = 300;

    public int MaxRetryAttempts { get; set; } = 2;

    /// <summary>The first wait before a retry when the provider sends no Retry-After; it grows exponentially.</summary>
    public int RetryDelayMs { get; set; } = 1000;

    /// <summary>Calls seen within the sampling window before the breaker may open (the library default, 100, suits busier clients).</summary>
    public int CircuitBreakerMinimumThroughput { get; set; } = 10;

    /// <summary>How long an open circuit refuses calls before letting one through.</summary>
    public int CircuitBreakDurationSeconds { get; set; } = 15;
}

public static class AiProviderKinds
{
    public const string OpenAI = "openai";
    public const string AzureOpenAI = "azure-openai";
    public const string Local = "local";
}

public static class ModelCapabilities
{
    public const string Chat = "chat";
    public const string Streaming = "streaming";
    public const string Tools = "tools";

    public static readonly IReadOnlyList<string> All = [Chat, Streaming, Tools];
}
