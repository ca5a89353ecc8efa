namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>The real Worker on the test's database and a broker topology of its own, started and consuming.</summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private RunningWorker(TestBroker broker, WorkerFactory host)
    {
        Broker = broker;
        Host = host;
    }

    public TestBroker Broker { get; }
    public WorkerFactory Host { get; }

    /// <param name="settings">More configuration for the test (applied last).</param>
    public static async Task<RunningWorker> StartAsync(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var broker = await TestBroker.CreateAsync("worker");
        var host = new WorkerFactory(connectionString, broker, settings);
        _ = host.Server; // Starts the Worker: migrator, consumer, relay.
        await broker.WaitForConsumerAsync();
        return new RunningWorker(broker, host);
    }

    /// <summary>The name the inbox records for <typeparamref name="THandler"/> on this Worker's queue.</summary>
    public string Consumer<THandler>() => $"{Broker.Topology.Queue}:{typeof(THandler).Name}";

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Broker.DisposeAsync();
    }
}
