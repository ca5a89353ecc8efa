using AiPlatform.Core.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.UnitTests.AI;

public class TokenCounterTests
{
    private static readonly O200kTokenCounter Counter = new();

    [Theory]
    [InlineData("", 0)]
    [InlineData("Hello, world!", 4)]
    [InlineData("The quick brown fox jumps over the lazy dog.", 10)]
    public void Counts_o200k_tokens(string text, int expected) => Assert.Equal(expected, Counter.CountTokens(text));

    [Fact]
    public void A_message_costs_its_text_plus_the_chat_format_overhead()
    {
        var message = new ChatMessageContent(AuthorRole.User, "Hello, world!");

        Assert.Equal(4 + O200kTokenCounter.TokensPerMessage, Counter.CountTokens(message));
        Assert.Equal(2 * (4 + O200kTokenCounter.TokensPerMessage), Counter.CountTokens([message, message]));
    }

    [Fact]
    public void Tool_calls_and_results_count_too()
    {
        var call = new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent("now", "clock", "call_1", new KernelArguments { ["zone"] = "UTC" })]);
        var result = new ChatMessageContent(AuthorRole.Tool, [new FunctionResultContent("now", "clock", "call_1", "2030-01-01T12:00:00Z")]);

        Assert.True(Counter.CountTokens(call) > O200kTokenCounter.TokensPerMessage);
        Assert.True(Counter.CountTokens(result) > O200kTokenCounter.TokensPerMessage);
    }
}
