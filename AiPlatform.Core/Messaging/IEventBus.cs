namespace AiPlatform.Core.Messaging;

/// <summary>Publishes integration events to the other services.</summary>
public interface IEventBus
{
    /// <summary>
    /// Publishes <paramref name="integrationEvent"/> now, as part of the caller's trace, and returns once the broker
    /// has confirmed it. Only for events that go with no database change: when one does, stage the event with
    /// <see cref="OutboxExtensions.AddIntegrationEvent"/> instead, so it is sent if and only if the change commits.
    /// </summary>
    Task PublishAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Publishes an event staged in the outbox (the relay's entry point), as part of the trace of the request
    /// that raised it, and returns once the broker has confirmed it.
    /// </summary>
    Task PublishAsync(OutboxMessage message, CancellationToken cancellationToken = default);
}
