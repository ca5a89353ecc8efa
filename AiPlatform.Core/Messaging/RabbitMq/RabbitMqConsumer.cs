using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>
/// Consumes this service's queue. A message is acknowledged once each of its handlers has run (or, per the inbox,
/// had already run). When one throws, the message goes round the retry queue for another delivery, up to
/// <see cref="EventBusOptions.MaxDeliveryAttempts"/>; after that, and straight away for a message nobody here can
/// read or whose handler calls it poison (<see cref="PoisonMessageException"/>), it is rejected into the dead-letter queue. Deliveries are never requeued in place, so nothing loops.
/// <para>
/// A message whose handling kills the process (a parser's stack overflow, out of memory, kill -9) is never settled,
/// and the broker hands it to the next consumer. So each delivery is counted in the database before its handlers run
/// (<see cref="UnfinishedDeliveries"/>), and after <see cref="EventBusOptions.MaxInterruptedDeliveries"/> that never
/// finished the next one gives the message up (<see cref="IIntegrationEventHandler{TEvent}.GiveUpAsync"/>) and
/// dead-letters it. Counted here rather than by the broker (a quorum queue's delivery limit): the broker counts every
/// message a dead consumer held, prefetched or not, and every graceful shutdown, dead-letters without the handlers
/// recording why, and would need the queues declared anew.
/// </para>
/// </summary>
internal sealed class RabbitMqConsumer(
    IServiceProvider services,
    IOptions<EventBusOptions> options,
    IOptions<EventBusSubscriptions> subscriptions,
    ILogger<RabbitMqConsumer> logger) : BackgroundService
{
    private readonly EventBusOptions _options = options.Value;
    private readonly EventBusSubscriptions _subscriptions = subscriptions.Value;
    private readonly EventBusTopology _topology = EventBusTopology.For(options.Value);
    private readonly HandlerSlots _slots = new(options.Value.ConsumerConcurrency);
    private readonly UnfinishedDeliveries _unfinished =
        new(services.GetRequiredService<IServiceScopeFactory>(), options.Value.SubscriptionClientName, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_subscriptions.EventTypes.Count == 0)
        {
            return; // A publish-only service has no queue.
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                await using var channel = await StartConsumingAsync(lost, stoppingToken);
                logger.LogInformation("Consuming {Queue} for {EventTypes}", _topology.Queue, _subscriptions.EventTypes);
                await Task.WhenAny(lost.Task, Task.Delay(Timeout.Infinite, stoppingToken));
                if (stoppingToken.IsCancellationRequested)
                {
                    // The handlers, cancelled, hand their messages back and take back their deliveries' counts before
                    // the channel closes: the broker passes the messages on only then, so the next consumer never sees
                    // a count about to be taken back, nor do the handlers outlive this service's container.
                    await _slots.CloseAsync();
                    return;
                }
                logger.LogWarning("Lost the consumer on {Queue} ({CloseReason}); starting another", _topology.Queue, channel.CloseReason);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not consume {Queue}; trying again in {Delay}", _topology.Queue, _options.ReconnectDelay);
                await Task.Delay(_options.ReconnectDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task<IChannel> StartConsumingAsync(TaskCompletionSource lost, CancellationToken stoppingToken)
    {
        // Resolved here, not injected: the broker may be unreachable when the service starts.
        var connection = services.GetRequiredService<IConnection>();
        var channel = await connection.CreateConfirmedChannelAsync(stoppingToken, _options.ConsumerConcurrency);
        try
        {
            await _topology.DeclareAsync(channel, _subscriptions.EventTypes, stoppingToken);
            await channel.BasicQosAsync(prefetchSize: 0, _options.PrefetchCount, global: false, stoppingToken);

            // When the connection drops, RabbitMQ.Client's recovery reopens this channel and its consumer. What it
            // doesn't bring back is a channel closed while the connection stays up (a channel-level error) or a
            // consumer the broker cancelled (its queue was deleted): those need a fresh start.
            channel.ChannelShutdownAsync += (_, _) =>
            {
                if (connection.IsOpen)
                {
                    lost.TrySetResult();
                }
                return Task.CompletedTask;
            };

            var consumer = new BrokerCancellableConsumer(channel, onCancelledByBroker: () => lost.TrySetResult());
            consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(channel, delivery, stoppingToken);
            await channel.BasicConsumeAsync(_topology.Queue, autoAck: false, consumer, stoppingToken);
            return channel;
        }
        catch
        {
            await channel.DisposeAsync();
            throw;
        }
    }

    private async Task OnReceivedAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        var properties = delivery.BasicProperties;
        var parent = MessageHeaders.ExtractTraceContext(properties.Headers);
        Baggage.Current = parent.Baggage;
        using var activity = EventBusTelemetry.StartProcess(_topology.Queue, properties.Type, properties.MessageId, parent.ActivityContext);

        try
        {
            if (!TryRead(delivery, out var integrationEvent, out var subscription))
            {
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
                return;
            }

            // A redelivered message that was being handled when a process died may be what killed it. It runs alone,
            // so that if it does so again, only it is charged with the crash, not the messages that would run beside it.
            var alone = delivery.Redelivered && await _unfinished.WasInterruptedAsync(integrationEvent.Id, stoppingToken);
            using var slot = await _slots.EnterAsync(alone, stoppingToken);
            await HandleDeliveryAsync(channel, delivery, integrationEvent, subscription, activity, stoppingToken);
        }
        catch (Exception ex)
        {
            // Left unacknowledged, the message is delivered again once this channel is gone (shutdown, lost connection).
            if (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not settle {EventType} {MessageId}; the broker will deliver it again", properties.Type, properties.MessageId);
            }
        }
    }

    /// <summary>Counts the delivery as started, then handles the message (or gives it up) and settles it.</summary>
    private async Task HandleDeliveryAsync(
        IChannel channel, BasicDeliverEventArgs delivery, IntegrationEvent integrationEvent, EventSubscription subscription,
        Activity? activity, CancellationToken stoppingToken)
    {
        var started = false;
        try
        {
            var interruptions = await _unfinished.StartAsync(integrationEvent.Id, stoppingToken);
            started = true;
            if (_options.ShouldGiveUp(interruptions))
            {
                await GiveUpAsync(integrationEvent, subscription, interruptions, stoppingToken);
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
                await _unfinished.ForgetAsync(integrationEvent.Id);
                return;
            }

            await HandleAsync(integrationEvent, subscription, MessageHeaders.GetRetryCount(delivery.BasicProperties.Headers) + 1, stoppingToken);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested)
        {
            // Handed back by a graceful shutdown: not an interruption the message is to blame for. (A handler that
            // outlives the host's shutdown timeout is cut off like a crash, and counted like one.)
            if (started)
            {
                await _unfinished.ReturnAsync(integrationEvent.Id);
            }
            return;
        }
        catch (Exception ex)
        {
            activity.RecordFailure(ex);
            await _unfinished.ForgetAsync(integrationEvent.Id);
            await RetryOrDeadLetterAsync(channel, delivery, ex);
            return;
        }

        await _unfinished.ForgetAsync(integrationEvent.Id);
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    }

    private bool TryRead(
        BasicDeliverEventArgs delivery,
        [NotNullWhen(true)] out IntegrationEvent? integrationEvent,
        [NotNullWhen(true)] out EventSubscription? subscription)
    {
        integrationEvent = null;
        var properties = delivery.BasicProperties;

        // By the message's type, not its routing key: a retried message comes back routed by queue name.
        if (properties.Type is not { } eventType || !_subscriptions.TryGet(eventType, out subscription))
        {
            subscription = null;
            logger.LogError("No subscription for {EventType} (message {MessageId}); dead-lettering it", properties.Type, properties.MessageId);
            return false;
        }

        try
        {
            integrationEvent = JsonSerializer.Deserialize(delivery.Body.Span, subscription.EventClrType, OutboxExtensions.PayloadJson) as IntegrationEvent;
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not read {EventType} message {MessageId}; dead-lettering it", eventType, properties.MessageId);
            return false;
        }

        if (integrationEvent is null)
        {
            logger.LogError("Empty {EventType} message {MessageId}; dead-lettering it", eventType, properties.MessageId);
        }
        return integrationEvent is not null;
    }

    private async Task HandleAsync(IntegrationEvent integrationEvent, EventSubscription subscription, int attempt, CancellationToken cancellationToken)
    {
        foreach (var handler in subscription.Handlers)
        {
            await using var scope = services.CreateAsyncScope();
            var delivery = scope.ServiceProvider.GetRequiredService<IntegrationEventDelivery>();
            delivery.Attempt = attempt;
            delivery.MaxAttempts = _options.MaxDeliveryAttempts;
            var consumer = handler.ConsumerName(_options.SubscriptionClientName);
            if (!await handler.HandleOnceAsync(scope.ServiceProvider, integrationEvent, consumer, cancellationToken))
            {
                logger.LogInformation("{Consumer} already handled {EventType} {MessageId}; skipped", consumer, integrationEvent.EventType, integrationEvent.Id);
            }
        }
    }

    private async Task GiveUpAsync(
        IntegrationEvent integrationEvent, EventSubscription subscription, int interruptions, CancellationToken cancellationToken)
    {
        logger.LogError("{EventType} {MessageId} was being handled each of the last {Interruptions} times a process died; dead-lettering it",
            integrationEvent.EventType, integrationEvent.Id, interruptions);
        foreach (var handler in subscription.Handlers)
        {
            await using var scope = services.CreateAsyncScope();
            var consumer = handler.ConsumerName(_options.SubscriptionClientName);
            await handler.GiveUpAsync(scope.ServiceProvider, integrationEvent, consumer, interruptions, cancellationToken);
        }
    }

    private async Task RetryOrDeadLetterAsync(IChannel channel, BasicDeliverEventArgs delivery, Exception failure)
    {
        var properties = delivery.BasicProperties;
        var failedAttempts = MessageHeaders.GetRetryCount(properties.Headers) + 1;
        if (failure is PoisonMessageException || !_options.ShouldRetry(failedAttempts))
        {
            logger.LogError(failure, "{EventType} {MessageId} failed {Attempts} times; dead-lettering it",
                properties.Type, properties.MessageId, failedAttempts);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
            return;
        }

        logger.LogWarning(failure, "{EventType} {MessageId} failed (attempt {Attempt} of {MaxAttempts}); retrying in {Delay}",
            properties.Type, properties.MessageId, failedAttempts, _options.MaxDeliveryAttempts, _options.RetryDelay);
        var retry = new BasicProperties(properties)
        {
            Headers = MessageHeaders.WithRetryCount(properties.Headers, failedAttempts),
            Expiration = ((long)_options.RetryDelay.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
        };
        try
        {
            // Mandatory, so a missing retry queue fails the publish instead of silently dropping the message.
            await channel.BasicPublishAsync(exchange: "", routingKey: _topology.RetryQueue, mandatory: true, retry, delivery.Body);
        }
        catch (Exception ex) when (channel.IsOpen)
        {
            logger.LogError(ex, "Could not queue {EventType} {MessageId} for retry; dead-lettering it", properties.Type, properties.MessageId);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: false);
            return;
        }

        // Acknowledged only once the retry copy is confirmed: a crash in between leaves a duplicate, which the inbox absorbs.
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
    }

    // AsyncEventingBasicConsumer raises the same event for a cancel by the broker as for any channel shutdown.
    private sealed class BrokerCancellableConsumer(IChannel channel, Action onCancelledByBroker) : AsyncEventingBasicConsumer(channel)
    {
        public override async Task HandleBasicCancelAsync(string consumerTag, CancellationToken cancellationToken = default)
        {
            await base.HandleBasicCancelAsync(consumerTag, cancellationToken);
            onCancelledByBroker();
        }
    }
}
