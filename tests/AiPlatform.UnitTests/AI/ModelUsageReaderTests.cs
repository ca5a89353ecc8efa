using AiPlatform.Core.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using OpenAI.Chat;
using ChatMessageContent = Microsoft.SemanticKernel.ChatMessageContent;

namespace AiPlatform.UnitTests.AI;

public class ModelUsageReaderTests
{
    private static readonly O200kTokenCounter Counter = new();
    private static readonly ModelUsageReader Reader = new(Counter);
    private static readonly ChatHistory Prompt = new("System.") { new ChatMessageContent(AuthorRole.User, "Hi there!") };

    private static Dictionary<string, object?> OpenAIUsage(int input, int output) =>
        new() { ["Usage"] = OpenAIChatModelFactory.ChatTokenUsage(outputTokenCount: output, inputTokenCount: input, totalTokenCount: input + output) };

    [Fact]
    public void Reads_the_openai_connectors_usage()
    {
        var reply = new ChatMessageContent(AuthorRole.Assistant, "Hello.", metadata: OpenAIUsage(12, 3));

        Assert.Equal(new ModelUsage(12, 3), Reader.Read(Prompt, [reply]));
    }

    [Fact]
    public void Sums_every_request_of_a_function_calling_turn()
    {
        var call = new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent("now", "clock", "c1")], metadata: OpenAIUsage(20, 5));
        var result = new ChatMessageContent(AuthorRole.Tool, [new FunctionResultContent("now", "clock", "c1", "noon")]);
        var answer = new ChatMessageContent(AuthorRole.Assistant, "Noon.", metadata: OpenAIUsage(30, 2));

        Assert.Equal(new ModelUsage(50, 7), Reader.Read(Prompt, [call, result, answer]));
    }

    [Fact]
    public void Reads_streamed_usage_from_the_chunks_that_carry_it()
    {
        StreamingChatMessageContent[] updates =
        [
            new(AuthorRole.Assistant, "Hel"),
            new(null, "lo."),
            new(null, null, metadata: OpenAIUsage(9, 2)),
        ];

        Assert.Equal(new ModelUsage(9, 2), Reader.Read(Prompt, updates));
    }

    [Fact]
    public void Reads_the_local_models_usage()
    {
        var reply = new ChatMessageContent(AuthorRole.Assistant, "Hello.", metadata: new Dictionary<string, object?> { [ModelUsage.MetadataKey] = new ModelUsage(4, 2) });

        Assert.Equal(new ModelUsage(4, 2), Reader.Read(Prompt, [reply]));
    }

    [Fact]
    public void Counts_when_the_provider_reported_nothing()
    {
        var reply = new ChatMessageContent(AuthorRole.Assistant, "Hello, world!");
        StreamingChatMessageContent[] updates = [new(AuthorRole.Assistant, "Hello,"), new(null, " world!")];
        var expected = new ModelUsage(Counter.CountTokens(Prompt), Counter.CountTokens("Hello, world!"));

        Assert.Equal(expected, Reader.Read(Prompt, [reply]));
        Assert.Equal(expected, Reader.Read(Prompt, updates));
    }

    [Fact]
    public void Costs_follow_the_catalog_prices()
    {
        var model = new CatalogModel("m", "M", "p", "openai", 8192, 1024, InputCostPer1kTokens: 0.5m, OutputCostPer1kTokens: 1.5m, ["chat"]);

        Assert.Equal(0.5m + 0.75m, model.CostOf(new ModelUsage(1000, 500)));
        Assert.Equal(1500, new ModelUsage(1000, 500).TotalTokens);
    }
}
