using Microsoft.ML.Tokenizers;
using Microsoft.SemanticKernel;

namespace AiPlatform.Core.AI;

/// <summary>Counts tokens the way current OpenAI models do, for context trimming and for usage no provider reported.</summary>
public interface ITokenCounter
{
    int CountTokens(string text);

    /// <summary>A chat message as a model reads it: its text, tool calls and tool results, plus the chat format's overhead.</summary>
    int CountTokens(ChatMessageContent message);

    int CountTokens(IEnumerable<ChatMessageContent> messages);
}

/// <summary>The o200k_base encoding (GPT-4o and later), loaded once from the embedded vocabulary; thread-safe.</summary>
public sealed class O200kTokenCounter : ITokenCounter
{
    /// <summary>OpenAI's chat format wraps every message in a few tokens (role, delimiters).</summary>
    public const int TokensPerMessage = 4;

    private readonly Tokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    public int CountTokens(string text) => string.IsNullOrEmpty(text) ? 0 : _tokenizer.CountTokens(text);

    public int CountTokens(ChatMessageContent message)
    {
        var tokens = TokensPerMessage;
        foreach (var item in message.Items)
        {
            tokens += item switch
            {
                TextContent text => CountTokens(text.Text ?? ""),
                FunctionCallContent call => CountTokens(call.FunctionName) + CountTokens(string.Join(" ", call.Arguments ?? [])),
                FunctionResultContent result => CountTokens(result.Result?.ToString() ?? ""),
                _ => 0,
            };
        }

        return tokens;
    }

    public int CountTokens(IEnumerable<ChatMessageContent> messages) => messages.Sum(CountTokens);
}
