using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.IntegrationTests.Data;

public sealed class MigrationTests
{
    private static IHost BuildInstance(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:aiplatformdb"] = connectionString });
        builder.AddAppDatabase();
        return builder.Build();
    }

    [Fact]
    public async Task Several_instances_starting_at_once_migrate_the_database_exactly_once()
    {
        await using var database = await TestDatabase.CreateAsync("migrate");
        var instances = Enumerable.Range(0, 4).Select(_ => BuildInstance(database.ConnectionString)).ToList();
        try
        {
            var migrators = instances.Select(i => i.Services.GetServices<IHostedService>().OfType<DatabaseMigrator>().Single());
            await Task.WhenAll(migrators.Select(m => m.StartAsync(CancellationToken.None)));

            await using var scope = instances[0].Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var applied = (await db.Database.GetAppliedMigrationsAsync()).ToList();
            Assert.Equal(db.Database.GetMigrations(), applied);
            Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        }
        finally
        {
            foreach (var instance in instances)
            {
                instance.Dispose();
            }
        }
    }
}
