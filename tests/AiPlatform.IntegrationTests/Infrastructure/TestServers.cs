using Npgsql;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// Where the real servers the TEST command started are. Environment variables override the local
/// defaults (the same ones eng/servers.sh sets up).
/// </summary>
public static class TestServers
{
    public static string Postgres { get; } =
        Environment.GetEnvironmentVariable("AIPLATFORM_TEST_POSTGRES") ?? "Host=localhost;Port=5432;Username=aiplatform;Password=aiplatform;SSL Mode=Disable";

    public static string Redis { get; } = Environment.GetEnvironmentVariable("AIPLATFORM_TEST_REDIS") ?? "localhost:6379";

    public static string RabbitMq { get; } =
        Environment.GetEnvironmentVariable("AIPLATFORM_TEST_RABBITMQ") ?? "amqp://guest:guest@localhost:5672";

    /// <summary>
    /// Whether the tests' databases have pgvector: they copy template1, in which eng/servers.sh creates the extension
    /// where the server has it.
    /// </summary>
    public static bool HasPgVector => PgVector.Value;

    private static readonly Lazy<bool> PgVector = new(() =>
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres) { Database = "template1", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'vector')", connection);
        return (bool)command.ExecuteScalar()!;
    });
}
