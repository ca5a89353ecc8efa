using AiPlatform.Core.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.UnitTests.AI;

public class LocalChatCompletionServiceTests
{
    private static readonly O200kTokenCounter Counter = new();

    private static LocalChatCompletionService Model(int tokenDelayMs = 0) =>
        new(Counter, Options.Create(new AiOptions { Local = new LocalModelOptions { TokenDelayMs = tokenDelayMs } }), TimeProvider.System);

    private static ChatHistory Conversation(params string[] userMessages)
    {
        var history = new ChatHistory("You are helpful.");
        foreach (var message in userMessages)
        {
            history.AddUserMessage(message);
            history.AddAssistantMessage("(an earlier answer)");
        }

        history.RemoveAt(history.Count - 1);
        return history;
    }

    [Fact]
    public async Task Says_plainly_it_is_the_offline_model_and_echoes_the_question()
    {
        var reply = await Model().GetChatMessageContentAsync(Conversation("What is the capital of France?"));

        Assert.Equal(AuthorRole.Assistant, reply.Role);
        Assert.Equal(ModelCatalog.LocalModelId, reply.ModelId);
        Assert.StartsWith(LocalChatCompletionService.OfflineNotice, reply.Content);
        Assert.Contains("no AI provider is configured", reply.Content);
        Assert.Contains("You said: \"What is the capital of France?\"", reply.Content);
        Assert.Contains("first message", reply.Content);
    }

    [Fact]
    public async Task Refers_to_the_earlier_turn()
    {
        var reply = await Model().GetChatMessageContentAsync(
            Conversation("I am planning a trip to Lisbon. I like museums.", "Which museum should I see first?"));

        Assert.Contains("You said: \"Which museum should I see first?\"", reply.Content);
        Assert.Contains("message number 2", reply.Content);
        Assert.Contains("before it you said: \"I am planning a trip to Lisbon.\"", reply.Content);
    }

    [Fact]
    public async Task Answers_the_same_way_every_time()
    {
        var history = Conversation("First question.", "Second question, which is a little longer than the first one.");

        var first = await Model().GetChatMessageContentAsync(history);
        var second = await Model().GetChatMessageContentAsync(history);

        Assert.Equal(first.Content, second.Content);
    }

    [Fact]
    public async Task Summarises_a_long_message()
    {
        var longMessage = string.Join(' ', Enumerable.Range(1, 200).Select(i => $"word{i}"));

        var reply = await Model().GetChatMessageContentAsync(Conversation(longMessage));

        Assert.Contains("word60 …", reply.Content);
        Assert.DoesNotContain("word61", reply.Content);
    }

    [Fact]
    public async Task Answers_from_the_best_passages_and_cites_them()
    {
        var history = Conversation("How many vacation days do employees get?");
        history.Insert(1, LocalChatCompletionService.CreatePassagesMessage(
        [
            new ChatPassage("Expenses policy", "Meals are reimbursed up to 40 euros a day. Keep your receipts."),
            new ChatPassage("Handbook, section 4", "Our office opens at nine. Employees get 25 vacation days a year. Unused days expire in March."),
            new ChatPassage("Handbook, section 5", "Vacation days must be requested two weeks ahead."),
        ]));

        var reply = await Model().GetChatMessageContentAsync(history);

        Assert.StartsWith("I'm the offline built-in model", reply.Content);
        Assert.Contains("\"Employees get 25 vacation days a year.\" [2]", reply.Content);
        Assert.Contains("\"Vacation days must be requested two weeks ahead.\" [3]", reply.Content);
        Assert.DoesNotContain("[1]", reply.Content);
        Assert.Contains("Sources: [2] Handbook, section 4; [3] Handbook, section 5", reply.Content);
    }

    [Fact]
    public async Task Trusts_the_retrieval_order_when_no_passage_shares_a_word_with_the_question()
    {
        // Retrieval matched these by meaning; the question shares no word with either.
        var history = Conversation("Where can I leave my car?");
        history.Add(LocalChatCompletionService.CreatePassagesMessage(
            [new ChatPassage("Parking.pdf, page 3", "Staff vehicles go in the basement garage."), new ChatPassage("Expenses", "Meals are reimbursed.")]));

        var reply = await Model().GetChatMessageContentAsync(history);

        Assert.Contains("\"Staff vehicles go in the basement garage.\" [1]", reply.Content);
        Assert.Contains("[1] Parking.pdf, page 3", reply.Content);
    }

    [Fact]
    public void The_passages_message_is_a_system_message_real_models_can_read()
    {
        var message = LocalChatCompletionService.CreatePassagesMessage(
            [new ChatPassage("A.pdf", "Alpha text."), new ChatPassage("B\nmd", "Beta text.\nMore beta.")]);

        Assert.Equal(AuthorRole.System, message.Role);
        Assert.StartsWith(LocalChatCompletionService.PassagesMarker, message.Content);
        Assert.Contains("cite", message.Content);
        Assert.Contains("[1] A.pdf\nAlpha text.", message.Content!.ReplaceLineEndings("\n"));
        Assert.Contains("[2] B md\nBeta text.\nMore beta.", message.Content!.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Reports_usage_counted_with_the_tokenizer()
    {
        var history = Conversation("Count my tokens, please.");

        var reply = await Model().GetChatMessageContentAsync(history);

        Assert.Equal(new ModelUsage(Counter.CountTokens(history), Counter.CountTokens(reply.Content!)), ModelUsage.FromMetadata(reply.Metadata));
    }

    [Fact]
    public async Task Streams_word_by_word_the_same_answer_with_usage_on_the_last_update()
    {
        var history = Conversation("Stream this answer to me.");
        var model = Model();

        var whole = await model.GetChatMessageContentAsync(history);
        var updates = await model.GetStreamingChatMessageContentsAsync(history).ToListAsync();

        Assert.True(updates.Count > 20);
        Assert.Equal(whole.Content, string.Concat(updates.Select(u => u.Content)));
        Assert.All(updates, u => Assert.Single(u.Content!.Trim().Split(' ')));
        Assert.Equal(AuthorRole.Assistant, updates[0].Role);
        Assert.All(updates.SkipLast(1), u => Assert.Null(ModelUsage.FromMetadata(u.Metadata)));
        Assert.Equal(ModelUsage.FromMetadata(whole.Metadata), ModelUsage.FromMetadata(updates[^1].Metadata));
    }

    [Fact]
    public async Task Streaming_waits_the_token_delay_and_stops_when_cancelled()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(250));
        var received = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in Model(tokenDelayMs: 50).GetStreamingChatMessageContentsAsync(Conversation("Hello there."), cancellationToken: cancel.Token))
            {
                received++;
            }
        });

        // Some words, not all: token by token, and cancellation stops it (the lower bound allows a loaded machine).
        Assert.InRange(received, 1, 8);
    }

    [Fact]
    public async Task Without_a_user_message_there_is_nothing_to_answer()
    {
        var reply = await Model().GetChatMessageContentAsync(new ChatHistory("System only."));

        Assert.Contains("no question", reply.Content);
    }
}
