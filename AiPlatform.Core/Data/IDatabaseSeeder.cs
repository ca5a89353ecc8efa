namespace AiPlatform.Core.Data;

/// <summary>Runs after migrations, inside a system scope. Must be idempotent: every instance runs it at start.</summary>
public interface IDatabaseSeeder
{
    Task SeedAsync(AppDbContext db, CancellationToken cancellationToken);
}
