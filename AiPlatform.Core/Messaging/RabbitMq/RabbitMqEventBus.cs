using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;

namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>Publishes persistent messages to the topic exchange on one confirmed channel, replaced whenever it closes.</summary>
internal sealed class RabbitMqEventBus(
    IServiceProvider services,
    IOptions<EventBusOptions> options,
    IOptions<EventBusSubscriptions> subscriptions) : IEventBus, IAsyncDisposable
{
    private readonly EventBusOptions _options = options.Value;
    private readonly EventBusSubscriptions _subscriptions = subscriptions.Value;
    private readonly EventBusTopology _topology = EventBusTopology.For(options.Value);
    private readonly SemaphoreSlim _channelLock = new(1, 1);
    private IChannel? _channel;

    public Task PublishAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken = default) =>
        PublishAsync(OutboxExtensions.ToOutboxMessage(integrationEvent), cancellationToken);

    public async Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken = default)
    {
        var parent = ActivityContext.TryParse(message.TraceParent, message.TraceState, out var raisedIn) ? raisedIn : default;
        using var activity = EventBusTelemetry.StartPublish(_topology.Exchange, message.EventType, message.Id, parent);

        var properties = new BasicProperties
        {
            MessageId = message.Id.ToString(),
            Type = message.EventType,
            ContentType = "application/json",
            DeliveryMode = DeliveryModes.Persistent,
            Timestamp = new AmqpTimestamp((long)(message.OccurredAt - DateTime.UnixEpoch).TotalSeconds),
            Headers = new Dictionary<string, object?>(),
        };
        // Without a listener there is no publish span; the consumer's then joins the trace that raised the event.
        MessageHeaders.InjectTraceContext(properties.Headers, activity?.Context ?? parent);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            var channel = await GetChannelAsync(timeout.Token);
            // Not mandatory: an event no service subscribes to is simply dropped, as publish/subscribe means;
            // subscribers' durable queues keep theirs while they are away.
            await channel.BasicPublishAsync(
                _topology.Exchange, routingKey: message.EventType, mandatory: false, properties,
                Encoding.UTF8.GetBytes(message.Payload), timeout.Token);
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.DisposeAsync();
        }
        _channelLock.Dispose();
    }

    private async Task<IChannel> GetChannelAsync(CancellationToken cancellationToken)
    {
        if (_channel is { IsOpen: true } open)
        {
            return open;
        }

        await _channelLock.WaitAsync(cancellationToken);
        try
        {
            if (_channel is { IsOpen: true } current)
            {
                return current;
            }

            // Closed by a channel error (never coming back) or with the connection (back only after recovery):
            // a fresh channel serves either way once the connection is up, and until then creating one fails fast.
            if (_channel is not null)
            {
                await _channel.DisposeAsync();
                _channel = null;
            }

            // Resolved here, not injected: the broker may be unreachable when the service starts.
            var connection = services.GetRequiredService<IConnection>();
            var channel = await connection.CreateConfirmedChannelAsync(cancellationToken);
            try
            {
                // This service's own queue too, if it has one: the consumer declares it as well, but may not have
                // yet when a fresh service first publishes, and an event with no queue bound is dropped.
                await _topology.DeclareAsync(channel, _subscriptions.EventTypes, cancellationToken);
            }
            catch
            {
                await channel.DisposeAsync();
                throw;
            }
            return _channel = channel;
        }
        finally
        {
            _channelLock.Release();
        }
    }
}
