using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.Core.AI;

/// <summary>
/// Fits a conversation into a model's context window: the system messages always stay, then the newest turns
/// are kept while they fit, whole messages only, in their original order.
/// </summary>
public sealed class ChatHistoryTrimmer(ITokenCounter tokenCounter)
{
    /// <summary>Trims to <see cref="CatalogModel.PromptTokenBudget"/>: the window less room for the longest answer.</summary>
    public ChatHistory Trim(ChatHistory history, CatalogModel model) => Trim(history, model.PromptTokenBudget);

    /// <summary>
    /// Returns a new history of at most <paramref name="tokenBudget"/> tokens, except that the newest turn is always
    /// kept: a history trimmed to nothing could only be answered with nonsense, while an over-long prompt gets a clear
    /// refusal from the provider. An assistant's tool calls and their results are kept or dropped together, because
    /// a provider refuses a tool result whose call is missing.
    /// </summary>
    public ChatHistory Trim(ChatHistory history, int tokenBudget)
    {
        var remaining = tokenBudget - tokenCounter.CountTokens(history.Where(m => m.Role == AuthorRole.System));
        var kept = new HashSet<ChatMessageContent>(ReferenceEqualityComparer.Instance);
        var end = history.Count;
        while (end > 0)
        {
            var start = TurnStart(history, end);
            var turn = Enumerable.Range(start, end - start).Select(i => history[i]).Where(m => m.Role != AuthorRole.System).ToList();
            var cost = tokenCounter.CountTokens(turn);
            if (cost > remaining && kept.Count > 0)
            {
                break;
            }

            kept.UnionWith(turn);
            remaining -= cost;
            end = start;
        }

        return new ChatHistory(history.Where(m => m.Role == AuthorRole.System || kept.Contains(m)));
    }

    /// <summary>Where the unit ending before <paramref name="end"/> starts: one message, or a tool call with all its results.</summary>
    private static int TurnStart(ChatHistory history, int end)
    {
        var start = end - 1;
        while (start > 0 && history[start].Role == AuthorRole.Tool)
        {
            start--;
        }

        return start;
    }
}
