namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>
/// Where the real servers are: the ones <c>eng/servers.sh</c> starts, reached as the RUN command's local mode reaches
/// them (AiPlatform.AppHost/appsettings.json: no TLS on loopback). <c>AIPLATFORM_BENCH_*</c>, then the test variables
/// (<c>AIPLATFORM_TEST_*</c>), override these defaults.
/// </summary>
public static class BenchServers
{
    public static string Postgres { get; } = Setting("POSTGRES") ?? "Host=localhost;Port=5432;Username=aiplatform;Password=aiplatform;SSL Mode=Disable";

    public static string Redis { get; } = Setting("REDIS") ?? "localhost:6379";

    public static string RabbitMq { get; } = Setting("RABBITMQ") ?? "amqp://guest:guest@localhost:5672";

    private static string? Setting(string name) =>
        Environment.GetEnvironmentVariable($"AIPLATFORM_BENCH_{name}") ?? Environment.GetEnvironmentVariable($"AIPLATFORM_TEST_{name}");
}
