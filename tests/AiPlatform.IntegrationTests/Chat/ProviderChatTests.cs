using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.IntegrationTests.Assistants;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>
/// Chat turns through a real OpenAI-compatible provider (the in-test fake speaking the wire protocol): streaming and
/// plain turns, tool calling, retries, failures, disconnects, context trimming and credits.
/// Tests in this class run one after another, so each script of replies belongs to one test.
/// </summary>
public sealed class ProviderChatTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private FakeOpenAiServer Fake => factory.Fake;

    private async Task<(TestTenant Tenant, Guid ConversationId)> ConversationAsync(string model = ChatApiFactory.Model, string[]? tools = null)
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = await AssistantsTests.CreateAssistantAsync(tenant.Client, new
        {
            name = "Provider bot",
            systemPrompt = "You are terse.",
            personality = "Dry humour",
            model,
            tools = tools ?? [],
            status = "ACTIVE",
        });
        var created = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId = assistant.GetProperty("id").GetGuid() });
        return (tenant, (await created.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    private static async Task<JsonElement[]> MessagesAsync(TestTenant tenant, Guid conversationId) =>
        (await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync())
            .GetProperty("messages").GetProperty("items").EnumerateArray().ToArray();

    private static async Task<decimal> BalanceAsync(TestTenant tenant) =>
        (await (await tenant.Client.GetAsync("/api/v1/credits/balance")).ReadJsonAsync()).GetProperty("balance").GetDecimal();

    [Fact]
    public async Task A_plain_turn_sends_prompt_and_history_and_settles_its_cost()
    {
        var (tenant, conversationId) = await ConversationAsync();
        var before = await BalanceAsync(tenant);
        Fake.Enqueue(FakeReply.Text("Forty-two.") with { PromptTokens = 1000, CompletionTokens = 500 });

        var turn = await (await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages",
            new { content = "What is the answer?" })).ReadJsonAsync();

        var reply = turn.GetProperty("assistantMessage");
        Assert.Equal("Forty-two.", reply.GetProperty("content").GetString());
        Assert.Equal(1000, reply.GetProperty("promptTokens").GetInt32());
        Assert.Equal(500, reply.GetProperty("completionTokens").GetInt32());
        Assert.Equal(ChatApiFactory.Model, reply.GetProperty("model").GetString());

        var sent = Fake.ChatRequests[^1];
        Assert.False(sent.Json.TryGetProperty("stream", out var stream) && stream.GetBoolean());
        Assert.Equal(ChatApiFactory.Model, sent.Json.GetProperty("model").GetString());
        Assert.Equal("system", sent.Messages[0].GetProperty("role").GetString());
        Assert.Contains("You are terse.", sent.Messages[0].GetProperty("content").GetString());
        Assert.Contains("Dry humour", sent.Messages[0].GetProperty("content").GetString());
        Assert.Equal("What is the answer?", sent.Messages[^1].GetProperty("content").GetString());
        Assert.Equal("Bearer sk-chat-tests", sent.Headers["Authorization"]);

        // 1000 prompt tokens at 1 credit/1k + 500 completion tokens at 2 credits/1k.
        Assert.Equal(before - 2m, await BalanceAsync(tenant));
        var history = await (await tenant.Client.GetAsync("/api/v1/credits/history?type=USAGE")).ReadJsonAsync();
        Assert.Equal(-2m, history.GetProperty("items")[0].GetProperty("amount").GetDecimal());
    }

    [Fact]
    public async Task A_streamed_turn_relays_the_providers_chunks_and_usage()
    {
        var (tenant, conversationId) = await ConversationAsync();
        Fake.Enqueue(FakeReply.Text("The quick brown fox jumps.") with { PromptTokens = 10, CompletionTokens = 6 });

        var response = await tenant.Client.SendAsync(
            SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "Say something" }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await SseReader.ReadAllAsync(response);

        Assert.True(Fake.ChatRequests[^1].Json.GetProperty("stream").GetBoolean());
        var text = string.Concat(events.Where(e => e.Event == "delta").Select(e => e.Data.GetProperty("text").GetString()));
        Assert.Equal("The quick brown fox jumps.", text);
        var usage = events.Single(e => e.Event == "usage").Data;
        Assert.Equal(10, usage.GetProperty("promptTokens").GetInt32());
        Assert.Equal(6, usage.GetProperty("completionTokens").GetInt32());
        Assert.Equal("done", events[^1].Event);
        var stored = (await MessagesAsync(tenant, conversationId))[^1];
        Assert.Equal("The quick brown fox jumps.", stored.GetProperty("content").GetString());
        Assert.Equal(6, stored.GetProperty("completionTokens").GetInt32());
    }

    [Fact]
    public async Task Tool_calls_run_the_assistants_tool_and_return_its_result_to_the_model()
    {
        var (tenant, conversationId) = await ConversationAsync(tools: ["current_time"]);
        Fake.Enqueue(FakeReply.ToolCall("current_time-now"), FakeReply.Text("It is time for tea."));

        var turn = await (await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages",
            new { content = "What time is it?" })).ReadJsonAsync();

        Assert.Equal("It is time for tea.", turn.GetProperty("assistantMessage").GetProperty("content").GetString());
        var (first, second) = (Fake.ChatRequests[^2], Fake.ChatRequests[^1]);
        Assert.Contains(first.Json.GetProperty("tools").EnumerateArray(),
            t => t.GetProperty("function").GetProperty("name").GetString() == "current_time-now");
        var toolResult = second.Messages.Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Contains("utc", toolResult.GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_429_with_retry_after_is_retried_after_the_wait()
    {
        var (tenant, conversationId) = await ConversationAsync();
        Fake.Enqueue(FakeReply.Status(429, TimeSpan.FromSeconds(1)), FakeReply.Text("Patience pays."));
        var requestsBefore = Fake.ChatRequests.Count;

        var turn = await (await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages",
            new { content = "Are you there?" })).ReadJsonAsync();

        Assert.Equal("Patience pays.", turn.GetProperty("assistantMessage").GetProperty("content").GetString());
        var attempts = Fake.ChatRequests.Skip(requestsBefore).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.True(attempts[1].ReceivedAt - attempts[0].ReceivedAt >= TimeSpan.FromSeconds(0.9), "the retry waited as Retry-After said");
    }

    [Fact]
    public async Task A_provider_that_stays_down_is_503_and_the_users_message_is_kept()
    {
        var (tenant, conversationId) = await ConversationAsync();
        var before = await BalanceAsync(tenant);
        Fake.Enqueue(FakeReply.Status(500), FakeReply.Status(500), FakeReply.Status(500));

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Anyone home?" });

        await response.AssertErrorAsync(503, "AI_SERVICE_UNAVAILABLE");
        var messages = await MessagesAsync(tenant, conversationId);
        Assert.Equal("Anyone home?", messages[0].GetProperty("content").GetString());
        Assert.Equal("COMPLETED", messages[0].GetProperty("status").GetString());
        Assert.Equal("FAILED", messages[1].GetProperty("status").GetString());
        Assert.Equal("AI_SERVICE_UNAVAILABLE", messages[1].GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(before, await BalanceAsync(tenant));

        // The next turn does not resend the failed reply as history.
        Fake.Enqueue(FakeReply.Text("Back again."));
        await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Now?" });
        Assert.DoesNotContain(Fake.ChatRequests[^1].Messages, m => m.GetProperty("role").GetString() == "assistant");
    }

    [Fact]
    public async Task A_malformed_answer_is_502()
    {
        var (tenant, conversationId) = await ConversationAsync();
        Fake.Enqueue(FakeReply.Malformed());
        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Hm?" });
        var error = await response.AssertErrorAsync(502, "AI_SERVICE_UNAVAILABLE");
        Assert.Contains("malformed", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_failure_while_streaming_is_an_error_event_and_a_failed_message()
    {
        var (tenant, conversationId) = await ConversationAsync();
        Fake.Enqueue(FakeReply.Status(503), FakeReply.Status(503), FakeReply.Status(503));
        var response = await tenant.Client.SendAsync(
            SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "Stream?" }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal(["message.created", "error"], events.Select(e => e.Event));
        Assert.Equal("AI_SERVICE_UNAVAILABLE", events[1].Data.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(events[1].Data.GetProperty("requestId").GetString()));
        Assert.Equal("FAILED", (await MessagesAsync(tenant, conversationId))[^1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_stream_cancels_the_call_and_keeps_the_partial_reply()
    {
        var (tenant, conversationId) = await ConversationAsync();
        var words = string.Join(" ", Enumerable.Range(1, 200).Select(i => $"word{i}"));
        Fake.Enqueue(FakeReply.Text(words) with { ChunkDelay = TimeSpan.FromMilliseconds(30) });

        using (var cancel = new CancellationTokenSource())
        {
            var response = await tenant.Client.SendAsync(
                SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "Count for me" }),
                HttpCompletionOption.ResponseHeadersRead, cancel.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(cancel.Token);
            var deltas = 0;
            await foreach (var item in System.Net.ServerSentEvents.SseParser.Create(stream).EnumerateAsync(cancel.Token))
            {
                if (item.EventType == "delta" && ++deltas == 3)
                {
                    break;
                }
            }

            await cancel.CancelAsync();
        }

        JsonElement reply = default;
        await WaitUntilAsync(async () =>
        {
            var messages = await MessagesAsync(tenant, conversationId);
            reply = messages.Length == 2 ? messages[1] : default;
            return reply.ValueKind == JsonValueKind.Object;
        });
        Assert.Equal("CANCELLED", reply.GetProperty("status").GetString());
        var partial = reply.GetProperty("content").GetString()!;
        Assert.StartsWith("word1", partial);
        Assert.True(partial.Length < words.Length, "only part of the answer had arrived");
    }

    [Fact]
    public async Task Long_histories_are_trimmed_to_the_models_context_window()
    {
        var (tenant, conversationId) = await ConversationAsync(ChatApiFactory.TinyContextModel);
        for (var i = 1; i <= 6; i++)
        {
            Fake.Enqueue(FakeReply.Text($"Reply {i}"));
            await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages",
                new { content = $"Question {i}: " + string.Join(' ', Enumerable.Repeat("lorem", 15)) });
        }

        var last = Fake.ChatRequests[^1].Messages;
        Assert.Equal("system", last[0].GetProperty("role").GetString());
        Assert.StartsWith("Question 6", last[^1].GetProperty("content").GetString());
        Assert.DoesNotContain(last, m => m.GetProperty("content").GetString()!.StartsWith("Question 1"));
        Assert.True(last.Count < 12, $"the 11 earlier messages cannot all fit in 120 tokens; {last.Count} were sent");
    }

    [Fact]
    public async Task A_turn_the_tenant_cannot_afford_is_402_before_the_model_is_called()
    {
        var (tenant, conversationId) = await ConversationAsync(ChatApiFactory.PriceyModel);
        var requestsBefore = Fake.ChatRequests.Count;

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Expensive?" });

        var error = await response.AssertErrorAsync(402, "INSUFFICIENT_CREDITS");
        Assert.True(error.GetProperty("details").GetProperty("estimatedCost").GetDecimal() > 100);
        Assert.Equal(requestsBefore, Fake.ChatRequests.Count);
        Assert.Empty(await MessagesAsync(tenant, conversationId));
    }

    [Fact]
    public async Task Models_lists_the_provider_without_its_key()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.GetAsync("/api/v1/models?pageSize=100");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("sk-chat-tests", body);
        var models = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Contains(models, m => m.GetProperty("id").GetString() == "local");
        var fake = models.Single(m => m.GetProperty("id").GetString() == ChatApiFactory.Model);
        Assert.Equal("fake", fake.GetProperty("provider").GetString());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met within 15 s");
            await Task.Delay(100);
        }
    }
}
