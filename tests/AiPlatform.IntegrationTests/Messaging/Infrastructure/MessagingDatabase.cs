using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>A migrated database of its own for one test class.</summary>
public sealed class MessagingDatabase : IAsyncLifetime
{
    private TestDatabase? _database;

    public string ConnectionString => (_database ?? throw new InvalidOperationException("Not initialized.")).ConnectionString;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("messaging");
        await using var db = CreateContext();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>A context as the API has one, for staging events and reading the outbox and inbox back.</summary>
    public AppDbContext CreateContext() => new(
        new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(ConnectionString).UseSnakeCaseNamingConvention().Options,
        new TenantContext());

    /// <summary>Stages <c>tenant.created</c> events as the API does: in the same SaveChanges as the change that raised them.</summary>
    public async Task<IReadOnlyCollection<Guid>> StageTenantsCreatedAsync(int count)
    {
        await using var db = CreateContext();
        var events = Enumerable.Range(0, count).Select(i => new TenantCreatedIntegrationEvent(Guid.NewGuid(), $"Tenant {i}")).ToList();
        foreach (var tenantCreated in events)
        {
            db.AddIntegrationEvent(tenantCreated);
        }
        await db.SaveChangesAsync();
        return events.Select(e => e.Id).ToList();
    }

    /// <summary>Whether every one of the events is marked sent and was handled by <paramref name="consumer"/>.</summary>
    public async Task<bool> AllDeliveredAsync(IReadOnlyCollection<Guid> ids, string consumer)
    {
        await using var db = CreateContext();
        var sent = await db.OutboxMessages.CountAsync(m => ids.Contains(m.Id) && m.SentAt != null);
        var handled = await db.InboxMessages.CountAsync(m => ids.Contains(m.MessageId) && m.Consumer == consumer);
        return sent == ids.Count && handled == ids.Count;
    }
}
