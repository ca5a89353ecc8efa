using AiPlatform.Core.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.UnitTests.AI;

public class ChatHistoryTrimmerTests
{
    private static readonly O200kTokenCounter Counter = new();
    private static readonly ChatHistoryTrimmer Trimmer = new(Counter);

    private static ChatHistory Conversation(int turns)
    {
        var history = new ChatHistory("You are a helpful assistant.");
        for (var i = 1; i <= turns; i++)
        {
            history.AddUserMessage($"Question {i}: tell me something about the number {i}.");
            history.AddAssistantMessage($"Answer {i}: the number {i} is a fine number indeed.");
        }

        return history;
    }

    private static int Cost(IEnumerable<ChatMessageContent> messages) => Counter.CountTokens(messages);

    [Fact]
    public void A_history_that_fits_is_kept_whole()
    {
        var history = Conversation(3);

        var trimmed = Trimmer.Trim(history, Cost(history));

        Assert.Equal(history.Select(m => m.Content), trimmed.Select(m => m.Content));
    }

    [Fact]
    public void Keeps_the_system_message_and_the_newest_turns_in_order()
    {
        var history = Conversation(5);
        // Room for the system message and exactly the last four messages.
        var budget = Cost(history.Take(1)) + Cost(history.TakeLast(4));

        var trimmed = Trimmer.Trim(history, budget);

        Assert.Equal([history[0], .. history.TakeLast(4)], trimmed);
        Assert.True(Cost(trimmed) <= budget);
    }

    [Fact]
    public void Never_splits_a_message()
    {
        var history = Conversation(5);
        var budget = Cost(history.Take(1)) + Cost(history.TakeLast(4)) - 1;

        var trimmed = Trimmer.Trim(history, budget);

        Assert.Equal([history[0], .. history.TakeLast(3)], trimmed);
        Assert.All(trimmed, m => Assert.Contains(m, history));
    }

    [Fact]
    public void Keeps_every_system_message_where_it_was()
    {
        var history = Conversation(4);
        var passages = LocalChatCompletionService.CreatePassagesMessage([new ChatPassage("doc", "Some passage.")]);
        history.Insert(history.Count - 1, passages);
        var budget = Cost(history.Where(m => m.Role == AuthorRole.System)) + Cost(history.TakeLast(3).Where(m => m.Role != AuthorRole.System));

        var trimmed = Trimmer.Trim(history, budget);

        Assert.Equal([history[0], history[^3], passages, history[^1]], trimmed);
    }

    [Fact]
    public void The_newest_message_stays_even_when_nothing_fits()
    {
        var history = Conversation(2);

        var trimmed = Trimmer.Trim(history, 1);

        Assert.Equal([history[0], history[^1]], trimmed);
    }

    [Fact]
    public void A_tool_call_and_its_results_go_together()
    {
        var history = new ChatHistory("System.");
        history.AddUserMessage("What time is it?");
        var call = new ChatMessageContent(AuthorRole.Assistant, [new FunctionCallContent("now", "clock", "call_1")]);
        var result = new ChatMessageContent(AuthorRole.Tool, [new FunctionResultContent("now", "clock", "call_1", "noon")]);
        history.Add(call);
        history.Add(result);
        history.AddAssistantMessage("It is noon.");
        // Room for the answer and the tool result, not for the call that produced the result.
        var budget = Cost(history.Take(1)) + Cost(history.TakeLast(2));

        var trimmed = Trimmer.Trim(history, budget);

        Assert.Equal([history[0], history[^1]], trimmed);
    }

    [Fact]
    public void Trims_to_the_models_window_less_its_longest_answer()
    {
        var history = Conversation(50);
        var model = new CatalogModel("m", "M", "p", "openai", 600, 200, 0, 0, ["chat"]);

        var trimmed = Trimmer.Trim(history, model);

        Assert.True(Cost(trimmed) <= 400);
        Assert.True(Cost(trimmed) > 300);
        Assert.Equal(history[^1], trimmed[^1]);
    }
}
