extern alias worker;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RabbitMQ.Client;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>
/// The real Worker in this process, on the API's database and on an exchange and queue named for this run (deleted
/// when it stops), so a benchmark's uploads travel outbox → RabbitMQ → ingestion pipeline as in the running stack.
/// </summary>
public sealed class WorkerHost : WebApplicationFactory<worker::Program>
{
    private readonly string _runId = Guid.NewGuid().ToString("N")[..12];
    private readonly string _connectionString;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public WorkerHost(string connectionString, IReadOnlyDictionary<string, string?> settings)
    {
        _connectionString = connectionString;
        _settings = settings;
    }

    private string Exchange => $"aiplatform.bench.{_runId}";
    private string Queue => $"bench-worker-{_runId}";

    public void Start() => _ = Server;

    public async Task StopAsync()
    {
        await DisposeAsync();
        var factory = new ConnectionFactory { Uri = new Uri(BenchServers.RabbitMq) };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var queue in new[] { Queue, $"{Queue}.retry", $"{Queue}.dlq" })
        {
            await channel.QueueDeleteAsync(queue);
        }
        await channel.ExchangeDeleteAsync(Exchange);
        await channel.ExchangeDeleteAsync($"{Exchange}.dlx");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(ApiHost.Environment);
        builder.UseSetting("ConnectionStrings:aiplatformdb", _connectionString);
        builder.UseSetting("ConnectionStrings:messaging", BenchServers.RabbitMq);
        builder.UseSetting("EventBus:ExchangeName", Exchange);
        builder.UseSetting("EventBus:SubscriptionClientName", Queue);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // The pipeline's per-document timings (read and chunk, embed, store), for --verbose.
        builder.UseSetting("Logging:LogLevel:AiPlatform.Worker.Ingestion", Environment.GetEnvironmentVariable("AIPLATFORM_BENCH_VERBOSE") is "1" ? "Information" : "Warning");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Critical");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
