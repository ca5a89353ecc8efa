using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Services;

namespace AiPlatform.Core.AI;

/// <summary>A retrieved passage handed to a model, cited by its number in the order given.</summary>
public sealed record ChatPassage(string Source, string Text);

/// <summary>
/// The built-in <c>local</c> model: a deterministic responder that needs no model server. It says plainly what it is,
/// answers from the conversation (the last user message, the one before) or, when the history carries retrieved
/// passages (<see cref="CreatePassagesMessage"/>), quotes the best matching sentences and cites them as [1], [2].
/// It streams word by word and reports usage counted with <see cref="ITokenCounter"/>, like a real provider.
/// </summary>
public sealed partial class LocalChatCompletionService(ITokenCounter tokenCounter, IOptions<AiOptions> options, TimeProvider timeProvider)
    : IChatCompletionService
{
    /// <summary>Starts the system message that carries retrieved passages.</summary>
    public const string PassagesMarker = "[[retrieved-passages]]";

    public const string OfflineNotice =
        "I'm the offline built-in model: no AI provider is configured, so I don't generate answers; I can only work with what is in this conversation.";

    private const int MaxQuotedWords = 60;
    private const int MaxCitedPassages = 2;

    private static readonly HashSet<string> StopWords =
    [
        "the", "and", "for", "with", "what", "which", "who", "how", "why", "when", "where", "does", "did", "are", "was",
        "were", "can", "could", "should", "would", "this", "that", "these", "those", "there", "from", "about", "into",
        "you", "your", "our", "have", "has", "had", "not", "but", "all", "any", "its", "tell", "please",
    ];

    public IReadOnlyDictionary<string, object?> Attributes { get; } =
        new Dictionary<string, object?> { [AIServiceExtensions.ModelIdKey] = ModelCatalog.LocalModelId };

    /// <summary>
    /// The system message that hands <paramref name="passages"/> to a model. Real models read its instructions;
    /// this one recognises it by <see cref="PassagesMarker"/> and answers from the passages.
    /// </summary>
    public static ChatMessageContent CreatePassagesMessage(IEnumerable<ChatPassage> passages)
    {
        var text = new StringBuilder(PassagesMarker).AppendLine()
            .AppendLine("Answer from these passages and cite the ones you use by number, as [1] or [2]. Say so if they do not answer the question.");
        var number = 0;
        foreach (var passage in passages)
        {
            text.AppendLine().Append('[').Append(++number).Append("] ").AppendLine(OneLine(passage.Source)).AppendLine(passage.Text.Trim());
        }

        return new ChatMessageContent(AuthorRole.System, text.ToString().TrimEnd());
    }

    public Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        var answer = Compose(chatHistory);
        IReadOnlyList<ChatMessageContent> reply =
            [new ChatMessageContent(AuthorRole.Assistant, answer, ModelCatalog.LocalModelId, metadata: Metadata(chatHistory, answer))];
        return Task.FromResult(reply);
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var answer = Compose(chatHistory);
        var words = Word().Matches(answer);
        var delay = TimeSpan.FromMilliseconds(options.Value.Local.TokenDelayMs);
        for (var i = 0; i < words.Count; i++)
        {
            if (i > 0 && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            // Usage rides on the last update, as a provider's usage chunk comes last.
            var last = i == words.Count - 1;
            yield return new StreamingChatMessageContent(i == 0 ? AuthorRole.Assistant : null, words[i].Value,
                modelId: ModelCatalog.LocalModelId, metadata: last ? Metadata(chatHistory, answer) : null);
        }
    }

    private Dictionary<string, object?> Metadata(ChatHistory chatHistory, string answer) => new()
    {
        [ModelUsage.MetadataKey] = new ModelUsage(tokenCounter.CountTokens(chatHistory), tokenCounter.CountTokens(answer)),
        ["FinishReason"] = "stop",
    };

    private static string Compose(ChatHistory chatHistory)
    {
        var userMessages = chatHistory.Where(m => m.Role == AuthorRole.User && !string.IsNullOrWhiteSpace(m.Content)).Select(m => m.Content!).ToList();
        if (userMessages.Count == 0)
        {
            return $"{OfflineNotice} There is no question in this conversation yet.";
        }

        var passages = chatHistory.Where(m => m.Role == AuthorRole.System && m.Content?.StartsWith(PassagesMarker, StringComparison.Ordinal) == true)
            .SelectMany(m => ParsePassages(m.Content!)).ToList();
        return passages.Count > 0
            ? ComposeFromPassages(userMessages[^1], passages)
            : ComposeFromConversation(userMessages);
    }

    private static string ComposeFromConversation(List<string> userMessages)
    {
        var answer = new StringBuilder(OfflineNotice).AppendLine().AppendLine()
            .Append("You said: \"").Append(Summarize(userMessages[^1])).Append("\".");
        if (userMessages.Count == 1)
        {
            return answer.Append(" This is the first message of our conversation.").ToString();
        }

        answer.Append(" This is your message number ").Append(userMessages.Count)
            .Append(" in this conversation; before it you said: \"").Append(Summarize(FirstSentence(userMessages[^2]))).Append("\".");
        return answer.ToString();
    }

    private static string ComposeFromPassages(string question, List<(int Number, ChatPassage Passage)> passages)
    {
        var terms = Terms(question);
        // Passages arrive best first from retrieval, which also matches meaning, not only words: shared words break
        // ties between them, but a passage that shares none with the question can still be the answer.
        var cited = passages
            .Select(p => (p.Number, p.Passage, Score: Terms(p.Passage.Text).Count(terms.Contains)))
            .OrderByDescending(p => p.Score).ThenBy(p => p.Number)
            .Take(MaxCitedPassages)
            .OrderBy(p => p.Number)
            .ToList();
        var answer = new StringBuilder("I'm the offline built-in model: no AI provider is configured, so instead of writing an answer I quote the retrieved passages that best match your question.")
            .AppendLine().AppendLine();
        foreach (var (number, passage, _) in cited)
        {
            answer.Append("- \"").Append(Summarize(BestSentence(passage.Text, terms))).Append("\" [").Append(number).AppendLine("]");
        }

        answer.AppendLine().Append("Sources: ").AppendJoin("; ", cited.Select(c => $"[{c.Number}] {c.Passage.Source}"));
        return answer.ToString();
    }

    private static IEnumerable<(int Number, ChatPassage Passage)> ParsePassages(string message)
    {
        // A header is "[n] source" with n the next number, so a passage that quotes "[7] ..." stays text.
        var lines = message.Split('\n').Select(l => l.TrimEnd('\r'));
        (int Number, string Source, StringBuilder Text)? current = null;
        foreach (var line in lines)
        {
            var header = PassageHeader().Match(line);
            if (header.Success && int.Parse(header.Groups[1].ValueSpan) == (current?.Number ?? 0) + 1)
            {
                if (current is { } done)
                {
                    yield return (done.Number, new ChatPassage(done.Source, done.Text.ToString().Trim()));
                }

                current = (int.Parse(header.Groups[1].ValueSpan), header.Groups[2].Value, new StringBuilder());
            }
            else
            {
                current?.Text.AppendLine(line);
            }
        }

        if (current is { } lastPassage)
        {
            yield return (lastPassage.Number, new ChatPassage(lastPassage.Source, lastPassage.Text.ToString().Trim()));
        }
    }

    private static string BestSentence(string text, HashSet<string> terms) =>
        SentenceBreak().Split(text.Trim())
            .Select((sentence, index) => (sentence, index, score: Terms(sentence).Count(terms.Contains)))
            .OrderByDescending(s => s.score).ThenBy(s => s.index)
            .First().sentence;

    private static HashSet<string> Terms(string text) =>
        TermPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(t => t.Length >= 3 && !StopWords.Contains(t)).ToHashSet();

    private static string FirstSentence(string text) => SentenceBreak().Split(text.Trim())[0];

    private static string Summarize(string text)
    {
        var words = OneLine(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length <= MaxQuotedWords ? string.Join(' ', words) : string.Join(' ', words[..MaxQuotedWords]) + " …";
    }

    private static string OneLine(string text) => Whitespace().Replace(text, " ").Trim();

    [GeneratedRegex(@"\S+\s*")]
    private static partial Regex Word();

    [GeneratedRegex(@"^\[(\d+)\] (.*)$")]
    private static partial Regex PassageHeader();

    [GeneratedRegex(@"(?<=[.!?])\s+")]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex TermPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
