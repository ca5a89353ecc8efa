using System.Diagnostics;
using AiPlatform.Core.Messaging.RabbitMq;
using AiPlatform.IntegrationTests.Infrastructure;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>
/// The real RabbitMQ with an exchange and queues named for one test, deleted afterwards, so tests and runs never
/// see each other's messages.
/// </summary>
public sealed class TestBroker : IAsyncDisposable
{
    private readonly IConnection _connection;

    private TestBroker(IConnection connection, EventBusTopology topology)
    {
        _connection = connection;
        Topology = topology;
    }

    public EventBusTopology Topology { get; }

    /// <summary>The EventBus settings that point a service at this test's exchange and queue.</summary>
    public Dictionary<string, string?> Settings => new()
    {
        ["ConnectionStrings:messaging"] = TestServers.RabbitMq,
        ["EventBus:ExchangeName"] = Topology.Exchange,
        ["EventBus:SubscriptionClientName"] = Topology.Queue,
        ["EventBus:ReconnectDelay"] = "00:00:00.500",
        // Recover quickly from the outage test's broker restart (the client's default is 5 s).
        ["Aspire:RabbitMQ:Client:ConnectionFactory:NetworkRecoveryInterval"] = "00:00:01",
    };

    public static async Task<TestBroker> CreateAsync(string purpose)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var factory = new ConnectionFactory { Uri = new Uri(TestServers.RabbitMq), NetworkRecoveryInterval = TimeSpan.FromSeconds(1) };
        var connection = await factory.CreateConnectionAsync();
        return new TestBroker(connection, new EventBusTopology($"aiplatform.test.{id}", $"test-{purpose}-{id}"));
    }

    public Task<uint> CountAsync(string queue) => WithChannelAsync(channel => channel.MessageCountAsync(queue));

    public Task<BasicGetResult?> GetAsync(string queue) => WithChannelAsync(channel => channel.BasicGetAsync(queue, autoAck: true));

    public Task DeleteQueueAsync(string queue) => WithChannelAsync(channel => channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false));

    public Task PublishAsync(string exchange, string routingKey, BasicProperties properties, byte[] body) =>
        WithChannelAsync(async channel =>
        {
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body);
            return true;
        });

    /// <summary>Waits until a consumer is attached to the test's queue, i.e. the service under test is ready.</summary>
    public Task WaitForConsumerAsync() => Eventually.TrueAsync(async () =>
    {
        try
        {
            return await WithChannelAsync(channel => channel.ConsumerCountAsync(Topology.Queue)) > 0;
        }
        catch (OperationInterruptedException)
        {
            return false; // Not declared yet.
        }
    }, TimeSpan.FromSeconds(30), $"a consumer on {Topology.Queue}");

    /// <summary>Stops the broker application; every connection drops. Call <see cref="StartBrokerAsync"/> in a finally.</summary>
    public static Task StopBrokerAsync() => RabbitMqCtlAsync("stop_app");

    public static Task StartBrokerAsync() => RabbitMqCtlAsync("start_app");

    public async ValueTask DisposeAsync()
    {
        // After the outage test the connection may still be recovering.
        await Eventually.TrueAsync(() => _connection.IsOpen, TimeSpan.FromSeconds(30), "the test connection to recover");
        foreach (var queue in new[] { Topology.Queue, Topology.RetryQueue, Topology.DeadLetterQueue })
        {
            await DeleteQueueAsync(queue);
        }
        foreach (var exchange in new[] { Topology.Exchange, Topology.DeadLetterExchange })
        {
            await WithChannelAsync(async channel =>
            {
                await channel.ExchangeDeleteAsync(exchange);
                return true;
            });
        }
        await _connection.DisposeAsync();
    }

    // A channel per operation: a failed passive check closes its channel.
    private async Task<T> WithChannelAsync<T>(Func<IChannel, Task<T>> operation)
    {
        await using var channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        return await operation(channel);
    }

    private static async Task RabbitMqCtlAsync(string command)
    {
        using var process = Process.Start(new ProcessStartInfo("rabbitmqctl", [command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("Could not run rabbitmqctl.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"rabbitmqctl {command} exited with {process.ExitCode}: {await output}{await error}");
        }
    }
}
