using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using ChatTokenUsage = OpenAI.Chat.ChatTokenUsage;

namespace AiPlatform.Core.AI;

/// <summary>The tokens one model call read and wrote.</summary>
public sealed record ModelUsage(int PromptTokens, int CompletionTokens)
{
    /// <summary>
    /// Where Semantic Kernel's OpenAI connector puts usage in a message's metadata (an <see cref="ChatTokenUsage"/>),
    /// plain and streamed alike; <see cref="LocalChatCompletionService"/> puts a <see cref="ModelUsage"/> there.
    /// </summary>
    public const string MetadataKey = "Usage";

    public static readonly ModelUsage None = new(0, 0);

    public int TotalTokens => PromptTokens + CompletionTokens;

    public static ModelUsage operator +(ModelUsage left, ModelUsage right) =>
        new(left.PromptTokens + right.PromptTokens, left.CompletionTokens + right.CompletionTokens);

    /// <summary>The usage a provider reported in <paramref name="metadata"/>, or null when it reported none.</summary>
    public static ModelUsage? FromMetadata(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata?.GetValueOrDefault(MetadataKey) switch
        {
            ModelUsage usage => usage,
            ChatTokenUsage openAi => new ModelUsage(openAi.InputTokenCount, openAi.OutputTokenCount),
            _ => null,
        };
}

/// <summary>
/// Reads the usage of a model call from what Semantic Kernel returned and, when the provider reported nothing
/// (some OpenAI-compatible servers don't, a cancelled stream never gets there), counts it with <see cref="ITokenCounter"/>.
/// </summary>
public sealed class ModelUsageReader(ITokenCounter tokenCounter)
{
    /// <summary>
    /// A plain call. <paramref name="produced"/> is every message it added: with automatic function calling SK appends
    /// each intermediate assistant message (carrying its own request's usage) and tool result to the history, and
    /// returns only the last answer, so pass the history's new messages and the answer.
    /// </summary>
    public ModelUsage Read(IEnumerable<ChatMessageContent> prompt, IReadOnlyCollection<ChatMessageContent> produced) =>
        Sum(produced.Select(m => m.Metadata))
        ?? new ModelUsage(tokenCounter.CountTokens(prompt), CountCompletion(produced.Where(m => m.Role == AuthorRole.Assistant).Select(m => m.Content)));

    /// <summary>
    /// A streamed call: the provider reports usage in a final chunk of each request (the OpenAI SDK asks for it with
    /// <c>stream_options.include_usage</c>), so the sum over every update is the call's usage.
    /// </summary>
    public ModelUsage Read(IEnumerable<ChatMessageContent> prompt, IReadOnlyCollection<StreamingChatMessageContent> updates) =>
        Sum(updates.Select(u => u.Metadata))
        ?? new ModelUsage(tokenCounter.CountTokens(prompt), CountCompletion([string.Concat(updates.Select(u => u.Content))]));

    private static ModelUsage? Sum(IEnumerable<IReadOnlyDictionary<string, object?>?> metadata) =>
        metadata.Select(ModelUsage.FromMetadata).OfType<ModelUsage>().Aggregate((ModelUsage?)null, (sum, usage) => (sum ?? ModelUsage.None) + usage);

    private int CountCompletion(IEnumerable<string?> texts) => texts.Sum(t => tokenCounter.CountTokens(t ?? ""));
}
