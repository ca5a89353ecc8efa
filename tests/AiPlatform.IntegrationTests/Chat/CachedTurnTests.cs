using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Assistants;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>
/// A streamed turn of a conversation the instance has cached starts its model call before reading the conversation
/// (<see cref="ConversationTurnStarter"/>), and goes on only if the database still matches the cache: every way the
/// conversation can change behind the cache's back must still give the model the true history, prompt and refusals.
/// </summary>
public sealed class CachedTurnTests(ChatApiFactory factory) : IClassFixture<ChatApiFactory>
{
    private FakeOpenAiServer Fake => factory.Fake;

    private async Task<(TestTenant Tenant, Guid AssistantId, Guid ConversationId)> ConversationAsync(string model = "local")
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = await AssistantsTests.CreateAssistantAsync(tenant.Client,
            new { name = "Cached bot", systemPrompt = "You are terse.", model, status = "ACTIVE" });
        var assistantId = assistant.GetProperty("id").GetGuid();
        var created = await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId });
        return (tenant, assistantId, (await created.ReadJsonAsync()).GetProperty("id").GetGuid());
    }

    private static Task<HttpResponseMessage> PostStreamedAsync(HttpClient client, Guid conversationId, string content) =>
        client.SendAsync(SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content }),
            HttpCompletionOption.ResponseHeadersRead);

    private static async Task<List<(string Event, JsonElement Data)>> StreamTurnAsync(HttpClient client, Guid conversationId, string content)
    {
        var response = await PostStreamedAsync(client, conversationId, content);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return await SseReader.ReadAllAsync(response);
    }

    private static async Task<string[]> StoredContentsAsync(HttpClient client, Guid conversationId) =>
        (await (await client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync())
            .GetProperty("messages").GetProperty("items").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToArray();

    private static string[] SentContents(FakeRequest request) =>
        request.Messages.Select(m => $"{m.GetProperty("role").GetString()}: {m.GetProperty("content").GetString()}").ToArray();

    [Fact]
    public async Task The_next_streamed_turn_starts_before_reading_the_conversation_and_sends_the_whole_history()
    {
        var (tenant, _, conversationId) = await ConversationAsync(ChatApiFactory.Model);
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        var requestsBefore = Fake.ChatRequests.Count;

        var statements = await DatabaseStatementsDuringAsync(() => StreamTurnAsync(tenant.Client, conversationId, "Second question"));

        // The reader's batch never ran: the cached state was used, and the conditional insert confirmed it.
        Assert.DoesNotContain(statements, s => s.Contains("AS has_knowledge", StringComparison.Ordinal));
        Assert.Single(statements, s => s.Contains("WITH target AS", StringComparison.Ordinal));
        var sent = Assert.Single(Fake.ChatRequests.Skip(requestsBefore));
        Assert.Equal(
            ["system: You are terse.", "user: First question", $"assistant: {FakeOpenAiServer.DefaultText}", "user: Second question"],
            SentContents(sent));
        Assert.Equal(["First question", FakeOpenAiServer.DefaultText, "Second question", FakeOpenAiServer.DefaultText],
            await StoredContentsAsync(tenant.Client, conversationId));
    }

    [Fact]
    public async Task A_message_stored_behind_the_caches_back_reaches_the_model_and_the_turn_is_stored_once()
    {
        var (tenant, _, conversationId) = await ConversationAsync(ChatApiFactory.Model);
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        // As another instance whose eviction never arrived would: a message and its count, and no word to this one.
        await InTenantAsync(tenant.TenantId, db => db.Database.ExecuteSqlAsync($"""
            WITH stored AS (
                INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, created_at)
                VALUES ({Guid.CreateVersion7()}, {tenant.TenantId}, {conversationId}, 'User', 'Written elsewhere', 'Completed', now()))
            UPDATE conversations SET message_count = message_count + 1 WHERE id = {conversationId}
            """));

        var events = await StreamTurnAsync(tenant.Client, conversationId, "Second question");

        Assert.Equal("done", events[^1].Event);
        Assert.Equal(
            ["system: You are terse.", "user: First question", $"assistant: {FakeOpenAiServer.DefaultText}", "user: Written elsewhere",
                "user: Second question"],
            SentContents(Fake.ChatRequests[^1]));
        Assert.Equal(["First question", FakeOpenAiServer.DefaultText, "Written elsewhere", "Second question", FakeOpenAiServer.DefaultText],
            await StoredContentsAsync(tenant.Client, conversationId));
        var conversation = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync();
        Assert.Equal(5, conversation.GetProperty("conversation").GetProperty("messageCount").GetInt32());
    }

    [Fact]
    public async Task An_assistant_updated_since_the_last_turn_answers_with_its_new_prompt()
    {
        var (tenant, assistantId, conversationId) = await ConversationAsync(ChatApiFactory.Model);
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        (await tenant.Client.PutAsJsonAsync($"/api/v1/assistants/{assistantId}", new { systemPrompt = "You are verbose." })).EnsureSuccessStatusCode();

        await StreamTurnAsync(tenant.Client, conversationId, "Second question");

        Assert.Equal("system: You are verbose.", SentContents(Fake.ChatRequests[^1])[0]);
    }

    [Fact]
    public async Task A_closed_conversation_refuses_the_next_turn_and_stores_nothing()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        (await tenant.Client.PutAsJsonAsync($"/api/v1/conversations/{conversationId}/close", new { reason = "done" })).EnsureSuccessStatusCode();

        var response = await PostStreamedAsync(tenant.Client, conversationId, "Still there?");

        await response.AssertErrorAsync(409, "CONFLICT");
        Assert.Equal(2, (await StoredContentsAsync(tenant.Client, conversationId)).Length);
    }

    [Fact]
    public async Task Credits_spent_since_the_last_turn_refuse_the_next_one_before_its_message_is_stored()
    {
        var (tenant, _, conversationId) = await ConversationAsync(ChatApiFactory.Model);
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        var balance = (await (await tenant.Client.GetAsync("/api/v1/credits/balance")).ReadJsonAsync()).GetProperty("balance").GetDecimal();
        var admin = await factory.SignInAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);
        (await admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenant.TenantId}/credits",
            new { amount = 0.01m - balance, type = "ADJUSTMENT", reason = "Spent elsewhere" })).EnsureSuccessStatusCode();

        var response = await PostStreamedAsync(tenant.Client, conversationId, "Second question");

        await response.AssertErrorAsync(402, "INSUFFICIENT_CREDITS");
        Assert.Equal(2, (await StoredContentsAsync(tenant.Client, conversationId)).Length);
    }

    [Fact]
    public async Task Another_tenant_cannot_reach_a_cached_conversation()
    {
        var (tenant, _, conversationId) = await ConversationAsync();
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        var other = await factory.CreateTenantAsync();

        var response = await PostStreamedAsync(other.Client, conversationId, "Let me in");

        await response.AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        Assert.Equal(2, (await StoredContentsAsync(tenant.Client, conversationId)).Length);
    }

    [Fact]
    public async Task A_turn_stored_by_another_instance_evicts_the_copy_here_so_no_model_call_starts_in_vain()
    {
        var (tenant, _, conversationId) = await ConversationAsync(ChatApiFactory.Model);
        await StreamTurnAsync(tenant.Client, conversationId, "First question");
        var here = factory.Services.GetRequiredService<ConversationTurnCache>();
        Assert.NotNull(here.Find(tenant.TenantId, tenant.UserId, conversationId));

        // A second instance on the same database and Redis.
        await using var elsewhere = factory.AnotherInstance();
        await StreamTurnAsync(tenant.ClientOf(elsewhere), conversationId, "Second question");

        await Eventually.TrueAsync(() => here.Find(tenant.TenantId, tenant.UserId, conversationId) is null, TimeSpan.FromSeconds(5),
            "the eviction from the other instance");
        var requestsBefore = Fake.ChatRequests.Count;
        await StreamTurnAsync(tenant.Client, conversationId, "Third question");
        var sent = Assert.Single(Fake.ChatRequests.Skip(requestsBefore));
        Assert.Equal("user: Second question", SentContents(sent)[^3]);
    }

    private async Task InTenantAsync(Guid tenantId, Func<AppDbContext, Task> action)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Tenant.SetTenant(tenantId);
        await action(db);
    }

    /// <summary>The SQL of every command this test's database ran while <paramref name="action"/> did.</summary>
    private async Task<List<string>> DatabaseStatementsDuringAsync(Func<Task> action)
    {
        var statements = new ConcurrentQueue<string>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == factory.Database.Name && activity.GetTagItem("db.query.text") is string sql)
                {
                    statements.Enqueue(sql);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await action();
        return [.. statements];
    }
}
