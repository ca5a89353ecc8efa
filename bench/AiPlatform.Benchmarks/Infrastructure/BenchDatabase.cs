using Npgsql;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>A PostgreSQL database of the benchmark's own (the API migrates it on start), dropped afterwards.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private BenchDatabase(string name) => Name = name;

    public string Name { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(BenchServers.Postgres) { Database = Name }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync(string purpose)
    {
        var database = new BenchDatabase($"aiplatform_bench_{purpose}_{Guid.NewGuid():N}");
        await ExecuteOnServerAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(BenchServers.Postgres) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
