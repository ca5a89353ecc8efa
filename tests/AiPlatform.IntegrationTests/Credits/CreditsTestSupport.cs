using System.Net.Http.Json;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Credits;
using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiPlatform.IntegrationTests.Credits;

internal static class CreditsTestSupport
{
    public static decimal SignupCredits(this ApiFactory factory) =>
        factory.Services.GetRequiredService<IOptions<CreditOptions>>().Value.SignupCredits;

    public static async Task<decimal> BalanceAsync(this HttpClient client) =>
        (await (await client.GetAsync("/api/v1/credits/balance")).ReadJsonAsync()).GetProperty("balance").GetDecimal();

    public static Task<HttpResponseMessage> GiftAsync(this HttpClient client, string recipientEmail, decimal amount, string? message = null) =>
        client.PostAsJsonAsync("/api/v1/credits/gift", new { recipientEmail, amount, message });

    /// <summary>Runs <paramref name="work"/> in a DI scope of the API, as <paramref name="tenant"/>'s admin would.</summary>
    public static async Task<T> AsTenantAsync<T>(this ApiFactory factory, TestTenant tenant, Func<AppDbContext, CreditLedger, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Tenant.SetTenant(tenant.TenantId, tenant.UserId);
        return await work(db, scope.ServiceProvider.GetRequiredService<CreditLedger>());
    }

    public static async Task<T> InTenantScopeAsync<T>(this ApiFactory factory, Guid tenantId, Func<AppDbContext, CreditLedger, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Tenant.SetTenant(tenantId);
        return await work(db, scope.ServiceProvider.GetRequiredService<CreditLedger>());
    }

    /// <summary>Runs <paramref name="work"/> with tenant isolation lifted, to look at the database as it is.</summary>
    public static async Task<T> InSystemScopeAsync<T>(this ApiFactory factory, Func<AppDbContext, Task<T>> work)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        using var system = db.Tenant.BeginSystemScope();
        return await work(db);
    }

    /// <summary>The ledger invariant: each tenant's cached balance equals the sum of its ledger.</summary>
    public static async Task AssertLedgerInvariantAsync(this ApiFactory factory, params Guid[] tenantIds)
    {
        foreach (var tenantId in tenantIds)
        {
            var (balance, sum) = await factory.InSystemScopeAsync(async db =>
            {
                var balance = await db.CreditAccounts.Where(a => a.TenantId == tenantId).Select(a => (decimal?)a.Balance).SingleOrDefaultAsync() ?? 0m;
                var sum = await db.CreditTransactions.Where(t => t.TenantId == tenantId).SumAsync(t => t.Amount);
                return (balance, sum);
            });
            Assert.True(balance == sum, $"Tenant {tenantId}: balance {balance} but the ledger sums to {sum}.");
        }
    }

    /// <summary>Stages an assistant and a conversation for <paramref name="tenant"/>, to hang a reply on.</summary>
    public static Conversation StageConversation(AppDbContext db, TestTenant tenant)
    {
        var now = DateTime.UtcNow;
        var assistant = new Assistant
        {
            TenantId = tenant.TenantId, Name = "Billing bot", Model = "gpt-test", CreatedByUserId = tenant.UserId,
            CreatedAt = now, UpdatedAt = now,
        };
        var conversation = new Conversation
        {
            TenantId = tenant.TenantId, AssistantId = assistant.Id, UserId = tenant.UserId, Title = "Credits", CreatedAt = now, UpdatedAt = now,
        };
        db.Assistants.Add(assistant);
        db.Conversations.Add(conversation);
        return conversation;
    }

    public static Message StageReply(AppDbContext db, Conversation conversation, string content = "Here is the answer.")
    {
        var reply = new Message
        {
            TenantId = conversation.TenantId, ConversationId = conversation.Id, Role = MessageRole.Assistant, Content = content,
            Model = "gpt-test", PromptTokens = 1000, CompletionTokens = 500, LatencyMs = 42, CreatedAt = DateTime.UtcNow,
        };
        db.Messages.Add(reply);
        return reply;
    }

    public static UsageEntry Usage(TestTenant tenant, decimal cost, Conversation? conversation = null, Message? reply = null, Guid? userId = null) =>
        new(tenant.TenantId, userId ?? tenant.UserId, "gpt-test", "fake", 1000, 500, cost, 42,
            conversation?.AssistantId, conversation?.Id, reply?.Id);
}
