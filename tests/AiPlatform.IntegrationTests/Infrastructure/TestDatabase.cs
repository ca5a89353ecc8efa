using Npgsql;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// A PostgreSQL database of its own for one fixture (or benchmark run, which links this file), dropped afterwards,
/// so runs never interfere.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _server;

    private TestDatabase(string server, string name)
    {
        _server = server;
        Name = name;
    }

    public string Name { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = Name }.ConnectionString;

    /// <param name="server">The server's connection string without a database; the tests' server by default.</param>
    /// <param name="template">The database to copy (template0 has none of what eng/servers.sh adds to template1).</param>
    public static async Task<TestDatabase> CreateAsync(string purpose = "test", string? server = null, string template = "template1")
    {
        var database = new TestDatabase(server ?? TestServers.Postgres, $"aiplatform_{purpose}_{Guid.NewGuid():N}");
        await database.ExecuteOnServerAsync($"CREATE DATABASE \"{database.Name}\" TEMPLATE {template}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege && attempt < 120)
            {
                // FORCE may not end an autovacuum worker (it runs as the superuser) busy with the database after a
                // large load (a benchmark's 100k chunks take it well over 10 s on two cores); it finishes.
                await Task.Delay(500);
            }
        }
    }

    private async Task ExecuteOnServerAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
