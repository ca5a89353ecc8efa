using RabbitMQ.Client;

namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>
/// What the bus declares on the broker. Every service publishes to one durable topic exchange, routing key = event
/// type, and consumes from its own durable queue bound to the types it subscribes to. A message whose handler
/// fails waits in "{queue}.retry" (per-message TTL) and then flows back into the queue; one out of attempts, or one
/// nobody can read, is rejected into the dead-letter exchange, which routes it (by queue name) to "{queue}.dlq".
/// </summary>
public sealed record EventBusTopology(string Exchange, string Queue)
{
    /// <summary>Shared by all services; each one's dead letters are routed by its queue name to its own DLQ.</summary>
    public string DeadLetterExchange => $"{Exchange}.dlx";

    public string RetryQueue => $"{Queue}.retry";

    public string DeadLetterQueue => $"{Queue}.dlq";

    public static EventBusTopology For(EventBusOptions options) => new(options.ExchangeName, options.SubscriptionClientName);

    /// <summary>
    /// Declares the exchange and, for a service with subscriptions, its queues and bindings (all idempotent).
    /// </summary>
    internal async Task DeclareAsync(IChannel channel, IReadOnlyCollection<string> subscribedEventTypes, CancellationToken cancellationToken)
    {
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Topic, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        if (subscribedEventTypes.Count == 0)
        {
            return;
        }

        await channel.ExchangeDeclareAsync(DeadLetterExchange, ExchangeType.Direct, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        await DeclareQueueAsync(channel, DeadLetterQueue, arguments: null, cancellationToken);
        await channel.QueueBindAsync(DeadLetterQueue, DeadLetterExchange, routingKey: Queue, cancellationToken: cancellationToken);

        // Expired retries go back through the default exchange straight to this queue, not to the topic
        // exchange, which would hand them to every other subscriber of the event again.
        await DeclareQueueAsync(channel, RetryQueue, DeadLetterTo(exchange: "", routingKey: Queue), cancellationToken);

        await DeclareQueueAsync(channel, Queue, DeadLetterTo(DeadLetterExchange, routingKey: Queue), cancellationToken);
        foreach (var eventType in subscribedEventTypes)
        {
            await channel.QueueBindAsync(Queue, Exchange, routingKey: eventType, cancellationToken: cancellationToken);
        }
    }

    private static Task<QueueDeclareOk> DeclareQueueAsync(
        IChannel channel, string queue, IDictionary<string, object?>? arguments, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken);

    private static Dictionary<string, object?> DeadLetterTo(string exchange, string routingKey) => new()
    {
        ["x-dead-letter-exchange"] = exchange,
        ["x-dead-letter-routing-key"] = routingKey,
    };
}
