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
}
