using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AiPlatform.Core.Data;

/// <summary>
/// Applies pending migrations, then the seeders, before the host starts serving. Several instances
/// may start at once (API replicas, the Worker): a PostgreSQL advisory lock lets one migrate while
/// the others wait, then find nothing left to do. (EF Core's own migration lock is a no-op in Npgsql.)
/// </summary>
public sealed class DatabaseMigrator(IServiceProvider services, ILogger<DatabaseMigrator> logger) : IHostedService
{
    // Any constant shared by every instance; "aiplatform" in ASCII.
    private const long MigrationLockKey = 0x6169706c6174666f;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        using var systemScope = db.Tenant.BeginSystemScope();

        await using (var lockConnection = new NpgsqlConnection(db.Database.GetConnectionString()))
        {
            await lockConnection.OpenAsync(cancellationToken);
            await ExecuteAsync(lockConnection, $"SELECT pg_advisory_lock({MigrationLockKey})", cancellationToken);
            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                if (pending.Count > 0)
                {
                    logger.LogInformation("Applying {Count} migrations: {Migrations}", pending.Count, string.Join(", ", pending));
                    await db.Database.MigrateAsync(cancellationToken);
                }

                foreach (var seeder in scope.ServiceProvider.GetServices<IDatabaseSeeder>())
                {
                    await seeder.SeedAsync(db, cancellationToken);
                }
            }
            finally
            {
                await ExecuteAsync(lockConnection, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
