using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.IntegrationTests.Assistants;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>Conversations with the built-in offline model: what a tenant gets with no model server configured.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConversationTests(ApiFactory factory)
{
    private async Task<(TestTenant Tenant, Guid AssistantId, Guid ConversationId)> ConversationAsync(string? title = null)
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = await AssistantsTests.CreateAssistantAsync(tenant.Client);
        var assistantId = assistant.GetProperty("id").GetGuid();
        var created = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId, title });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (tenant, assistantId, (await created.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task A_json_turn_stores_both_messages_with_usage()
    {
        var (tenant, _, conversationId) = await ConversationAsync("Greetings");
        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Hello there, how are you?" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var turn = await response.ReadJsonAsync();

        var user = turn.GetProperty("userMessage");
        Assert.Equal("USER", user.GetProperty("role").GetString());
        Assert.Equal("Hello there, how are you?", user.GetProperty("content").GetString());
        var reply = turn.GetProperty("assistantMessage");
        Assert.Equal("ASSISTANT", reply.GetProperty("role").GetString());
        Assert.Equal("COMPLETED", reply.GetProperty("status").GetString());
        Assert.Equal("local", reply.GetProperty("model").GetString());
        Assert.Contains("offline", reply.GetProperty("content").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Hello there, how are you?", reply.GetProperty("content").GetString());
        Assert.True(reply.GetProperty("promptTokens").GetInt32() > 0);
        Assert.True(reply.GetProperty("completionTokens").GetInt32() > 0);
        Assert.Equal("stop", reply.GetProperty("finishReason").GetString());

        var detail = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync();
        Assert.Equal(2, detail.GetProperty("conversation").GetProperty("messageCount").GetInt32());
        Assert.Equal([user.GetProperty("id").GetGuid(), reply.GetProperty("id").GetGuid()],
            detail.GetProperty("messages").GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetGuid()));

        // The offline model reads the history: the second answer refers to the first message.
        var second = await (await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "And the weather?" })).ReadJsonAsync();
        Assert.Contains("Hello there", second.GetProperty("assistantMessage").GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_streamed_turn_sends_created_deltas_usage_done_and_stores_the_same_text()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        var response = await tenant.Client.SendAsync(
            SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "Tell me a story about a lighthouse" }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await SseReader.ReadAllAsync(response);

        Assert.Equal("message.created", events[0].Event);
        Assert.Equal("Tell me a story about a lighthouse", events[0].Data.GetProperty("userMessage").GetProperty("content").GetString());
        var deltas = events.Where(e => e.Event == "delta").ToList();
        Assert.True(deltas.Count > 5, "the answer should arrive token by token");
        Assert.Equal(["message.created", .. Enumerable.Repeat("delta", deltas.Count), "usage", "done"], events.Select(e => e.Event));
        var usage = events.Single(e => e.Event == "usage").Data;
        Assert.True(usage.GetProperty("completionTokens").GetInt32() > 0);
        Assert.Equal(0m, usage.GetProperty("cost").GetDecimal());
        var messageId = events[^1].Data.GetProperty("messageId").GetGuid();
        Assert.Equal(events[0].Data.GetProperty("assistantMessageId").GetGuid(), messageId);

        var streamed = string.Concat(deltas.Select(d => d.Data.GetProperty("text").GetString()));
        var stored = (await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync())
            .GetProperty("messages").GetProperty("items").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == messageId);
        Assert.Equal(streamed, stored.GetProperty("content").GetString());
        Assert.Equal("COMPLETED", stored.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_initial_message_runs_the_first_turn_and_names_the_conversation()
    {
        var tenant = await factory.CreateTenantAsync();
        var assistantId = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        var response = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId, initialMessage = "Plan a trip to Lisbon in May" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var started = await response.ReadJsonAsync();
        Assert.Equal("Plan a trip to Lisbon in May", started.GetProperty("conversation").GetProperty("title").GetString());
        Assert.Equal(2, started.GetProperty("conversation").GetProperty("messageCount").GetInt32());
        Assert.Equal("COMPLETED", started.GetProperty("assistantMessage").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Conversations_are_listed_filtered_and_found_by_message_content()
    {
        var (tenant, assistantId, conversationId) = await ConversationAsync("Quarterly report");
        await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Summarise the revenue figures" });
        var other = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId, title = "Holiday plans" });
        var otherId = (await other.ReadJsonAsync()).GetProperty("id").GetGuid();

        var all = await (await tenant.Client.GetAsync("/api/v1/conversations")).ReadJsonAsync();
        Assert.Equal(2, all.GetProperty("total").GetInt32());

        // Full-text search matches stemmed words in messages ("revenues" → "revenue").
        var found = await (await tenant.Client.GetAsync("/api/v1/conversations?search=revenues")).ReadJsonAsync();
        Assert.Equal(conversationId, found.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        var byTitle = await (await tenant.Client.GetAsync("/api/v1/conversations?search=holiday")).ReadJsonAsync();
        Assert.Equal(otherId, byTitle.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());

        await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{otherId}/close", new { reason = "done", summary = "Booked", rating = 5 });
        var closed = await (await tenant.Client.GetAsync("/api/v1/conversations?status=CLOSED")).ReadJsonAsync();
        var closedItem = closed.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(5, closedItem.GetProperty("rating").GetInt32());

        var future = DateTime.UtcNow.AddDays(1).ToString("O");
        var none = await (await tenant.Client.GetAsync($"/api/v1/conversations?dateFrom={Uri.EscapeDataString(future)}")).ReadJsonAsync();
        Assert.Equal(0, none.GetProperty("total").GetInt32());
        var byAssistant = await (await tenant.Client.GetAsync($"/api/v1/conversations?assistantId={assistantId}")).ReadJsonAsync();
        Assert.Equal(2, byAssistant.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Older_messages_page_back_with_a_cursor()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        for (var i = 1; i <= 3; i++)
        {
            await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = $"Message {i}" });
        }

        var newest = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}/messages?limit=4")).ReadJsonAsync();
        Assert.True(newest.GetProperty("hasMore").GetBoolean());
        Assert.Equal("Message 2", newest.GetProperty("items")[0].GetProperty("content").GetString());
        var cursor = newest.GetProperty("nextCursor").GetGuid();

        var older = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}/messages?limit=4&before={cursor}")).ReadJsonAsync();
        Assert.False(older.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["Message 1"], older.GetProperty("items").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "USER").Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(2, older.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Rename_close_and_delete()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        var renamed = await (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}", new { title = "Renamed" })).ReadJsonAsync();
        Assert.Equal("Renamed", renamed.GetProperty("title").GetString());

        var closed = await (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/close", new { reason = "resolved", rating = 4 })).ReadJsonAsync();
        Assert.Equal("CLOSED", closed.GetProperty("status").GetString());
        await (await tenant.Client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "Still there?" }))
            .AssertErrorAsync(409, "CONFLICT");
        await (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/close", new { })).AssertErrorAsync(409, "CONFLICT");

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/conversations/{conversationId}")).StatusCode);
        await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task One_shot_chat_and_assistant_test_need_no_conversation()
    {
        var tenant = await factory.CreateTenantAsync();
        var chat = await (await tenant.Client.PostAsJsonAsync("/api/v1/ai/chat", new { message = "What is two plus two?" })).ReadJsonAsync();
        Assert.Equal("local", chat.GetProperty("model").GetString());
        Assert.Contains("two plus two", chat.GetProperty("message").GetString());
        Assert.True(chat.GetProperty("usage").GetProperty("totalTokens").GetInt32() > 0);

        var stream = await tenant.Client.SendAsync(SseReader.StreamingPost("/api/v1/ai/chat", new { message = "Stream please" }),
            HttpCompletionOption.ResponseHeadersRead);
        var events = await SseReader.ReadAllAsync(stream);
        Assert.Equal("done", events[^1].Event);
        Assert.Equal(JsonValueKind.Null, events[0].Data.GetProperty("userMessage").ValueKind);

        var assistantId = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        var test = await (await tenant.Client.PostAsJsonAsync($"/api/v1/assistants/{assistantId}/test", new { message = "Ping" })).ReadJsonAsync();
        Assert.Contains("Ping", test.GetProperty("response").GetString());
        Assert.True(test.GetProperty("responseTime").GetInt64() >= 0);
        Assert.True(test.GetProperty("tokensUsed").GetInt32() > 0);
        Assert.Equal(0, test.GetProperty("sources").GetArrayLength());

        var conversations = await (await tenant.Client.GetAsync("/api/v1/conversations")).ReadJsonAsync();
        Assert.Equal(0, conversations.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Conversations_are_private_to_their_user_and_tenant()
    {
        var (owner, assistantId, conversationId) = await ConversationAsync();
        var colleague = await TestMembers.InviteAndSignInAsync(factory, owner);
        var stranger = await factory.CreateTenantAsync();

        foreach (var client in new[] { colleague, stranger.Client })
        {
            await (await client.GetAsync($"/api/v1/conversations/{conversationId}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.GetAsync($"/api/v1/conversations/{conversationId}/messages")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.PostAsJsonAsync($"/api/v1/conversations/{conversationId}/messages", new { content = "hi" }))
                .AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}", new { title = "x" })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/close", new { })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.DeleteAsync($"/api/v1/conversations/{conversationId}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            await (await client.PostAsJsonAsync("/api/v1/ai/chat", new { message = "hi", conversationId })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
            var list = await (await client.GetAsync("/api/v1/conversations")).ReadJsonAsync();
            Assert.Equal(0, list.GetProperty("total").GetInt32());
        }

        // The colleague may chat with the tenant's assistant in a conversation of their own.
        Assert.Equal(HttpStatusCode.Created, (await colleague.PostAsJsonAsync("/api/v1/conversations", new { assistantId })).StatusCode);
        await (await stranger.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Bad_chat_input_is_a_4xx_envelope()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        var messages = $"/api/v1/conversations/{conversationId}/messages";
        await (await tenant.Client.PostAsJsonAsync(messages, new { content = "" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync(messages, new { content = new string('x', 40_000) })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync(messages, new { content = 42 })).AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/conversations/not-a-guid/messages", new { content = "x" })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { title = "x" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId = Guid.NewGuid() })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/close", new { rating = 6 })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}", new { title = "" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}/messages?limit=0")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/conversations?status=OPEN")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/conversations?dateFrom=yesterday")).AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/ai/chat", new { message = "x", model = "gpt-nope" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/ai/chat", new { message = "x", temperature = 3 })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsJsonAsync("/api/v1/ai/chat", new { })).AssertErrorAsync(422, "VALIDATION_ERROR");
        var assistantId = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        await (await tenant.Client.PostAsJsonAsync($"/api/v1/assistants/{assistantId}/test", new { message = "" })).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Inactive_assistants_do_not_chat()
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = await AssistantsTests.CreateAssistantAsync(tenant.Client, new { name = "Retired", status = "INACTIVE" });
        var response = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId = assistant.GetProperty("id").GetGuid() });
        await response.AssertErrorAsync(409, "CONFLICT");
    }
}
