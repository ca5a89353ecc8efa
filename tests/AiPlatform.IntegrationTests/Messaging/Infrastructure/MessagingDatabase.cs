using AiPlatform.Core.Data;
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
}
