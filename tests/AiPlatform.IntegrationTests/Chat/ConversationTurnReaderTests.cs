using System.Text.Json;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>
/// The one-round-trip read before each turn's model call is hand-written SQL: it must build exactly what EF builds, and
/// see only the caller's own conversations.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class ConversationTurnReaderTests(ApiFactory factory)
{
    [Fact]
    public async Task It_reads_the_conversation_and_assistant_as_EF_does_with_history_balance_and_no_knowledge()
    {
        var tenant = await factory.CreateTenantAsync();
        var (assistant, conversation) = await SeedAsync(tenant, closed: true);

        var spec = await FindAsync(tenant.TenantId, conversation.Id, tenant.UserId);

        Assert.NotNull(spec);
        var (efAssistant, efConversation, balance) = await factory.InTenantScopeAsync(tenant.TenantId, async (db, ledger) => (
            await db.Assistants.AsNoTracking().SingleAsync(a => a.Id == assistant.Id),
            await db.Conversations.AsNoTracking().SingleAsync(c => c.Id == conversation.Id),
            (await ledger.GetBalanceAsync(tenant.TenantId)).Balance));
        Assert.Equal(JsonSerializer.Serialize(efAssistant), JsonSerializer.Serialize(spec.Assistant));
        Assert.Equal(JsonSerializer.Serialize(efConversation), JsonSerializer.Serialize(spec.Conversation));
        Assert.Equal(tenant.TenantId, spec.TenantId);
        Assert.Equal("Next question", spec.Content);

        var state = spec.Preloaded!;
        Assert.True(balance > 0);
        Assert.Equal(balance, state.CreditBalance);
        Assert.False(state.AssistantHasKnowledge);
        // Oldest first; failed and empty replies are not history.
        Assert.Equal([(MessageRole.User, "first"), (MessageRole.Assistant, "first answer"), (MessageRole.User, "second")],
            state.History.Select(m => (m.Role, m.Content)));
    }

    [Fact]
    public async Task Another_user_or_tenant_finds_nothing()
    {
        var tenant = await factory.CreateTenantAsync();
        var (_, conversation) = await SeedAsync(tenant, closed: false);
        var other = await factory.CreateTenantAsync();

        Assert.NotNull(await FindAsync(tenant.TenantId, conversation.Id, tenant.UserId));
        Assert.Null(await FindAsync(tenant.TenantId, conversation.Id, Guid.NewGuid()));
        Assert.Null(await FindAsync(other.TenantId, conversation.Id, other.UserId));
        // Even naming the owner: the other tenant's session cannot see the row.
        Assert.Null(await FindAsync(other.TenantId, conversation.Id, tenant.UserId));
    }

    private async Task<ChatTurnSpec?> FindAsync(Guid tenantId, Guid conversationId, Guid userId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<AppDbContext>().Tenant.SetTenant(tenantId, userId);
        return await scope.ServiceProvider.GetRequiredService<ConversationTurnReader>().FindAsync(conversationId, userId, "Next question", default);
    }

    /// <summary>An assistant and a conversation with every column set, and a history with a failed and an empty reply.</summary>
    private async Task<(Assistant Assistant, Conversation Conversation)> SeedAsync(TestTenant tenant, bool closed)
    {
        var now = DateTime.UtcNow;
        var assistant = new Assistant
        {
            TenantId = tenant.TenantId, Name = "Every field", Description = "Described", Personality = "Dry", SystemPrompt = "Be brief.",
            Model = "local", Temperature = 1.25, MaxTokens = 321, Tools = ["current_time", "http_get"], Status = AssistantStatus.Active,
            Category = "support", CreatedByUserId = tenant.UserId, CreatedAt = now.AddMinutes(-5), UpdatedAt = now.AddMinutes(-1),
        };
        var conversation = new Conversation
        {
            TenantId = tenant.TenantId, AssistantId = assistant.Id, UserId = tenant.UserId, Title = "Seeded",
            Status = closed ? ConversationStatus.Closed : ConversationStatus.Active, CloseReason = closed ? "resolved" : null,
            Summary = closed ? "All done" : null, Rating = closed ? 4 : null, MessageCount = 5, CreatedAt = now.AddMinutes(-4),
            UpdatedAt = now.AddMinutes(-2), LastMessageAt = now.AddMinutes(-2),
        };
        Message Message(MessageRole role, string content, MessageStatus status) => new()
        {
            Id = Guid.CreateVersion7(), TenantId = tenant.TenantId, ConversationId = conversation.Id, Role = role, Content = content,
            Status = status, CreatedAt = now,
        };

        await factory.InTenantScopeAsync(tenant.TenantId, async (db, _) =>
        {
            db.Assistants.Add(assistant);
            db.Conversations.Add(conversation);
            await db.SaveChangesAsync();
            foreach (var (role, content, status) in new[]
            {
                (MessageRole.User, "first", MessageStatus.Completed), (MessageRole.Assistant, "first answer", MessageStatus.Completed),
                (MessageRole.User, "second", MessageStatus.Completed), (MessageRole.Assistant, "", MessageStatus.Cancelled),
                (MessageRole.Assistant, "oops", MessageStatus.Failed),
            })
            {
                // One millisecond apart: version-7 ids made in the same millisecond need not sort in order.
                await Task.Delay(2);
                db.Messages.Add(Message(role, content, status));
            }

            await db.SaveChangesAsync();
            return 0;
        });
        return (assistant, conversation);
    }
}
