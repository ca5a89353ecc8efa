namespace AiPlatform.Core.Messaging;

/// <summary>
/// Handles one event type for this service; registered with <see cref="EventBusBuilderExtensions.AddSubscription{TEvent, THandler}"/>.
/// Resolved in a scope of its own per message, so it can take the scoped AppDbContext.
/// </summary>
public interface IIntegrationEventHandler<in TEvent> where TEvent : IntegrationEvent
{
    /// <summary>
    /// The tenant whose data the handler works on, or null for platform-level work. Asked before the handler's
    /// transaction opens: row-level security takes the tenant when the connection opens, too early for the handler to set it.
    /// </summary>
    Guid? TenantOf(TEvent integrationEvent) => null;

    /// <summary>
    /// Runs inside a transaction that also records the message in the inbox; the AppDbContext changes it makes
    /// (saved or not) commit with that record, so a redelivered message is skipped instead of applied twice.
    /// Throwing rolls everything back and the message is retried later.
    /// </summary>
    Task HandleAsync(TEvent integrationEvent, CancellationToken cancellationToken);

    /// <summary>
    /// Called instead of <see cref="HandleAsync"/> when the consumer gives the event up without handling it: the
    /// process died while handling it <paramref name="interruptions"/> times in a row
    /// (<see cref="EventBusOptions.MaxInterruptedDeliveries"/>), so handling it again would likely kill the next one too.
    /// Record the failure where it will be seen; the message then goes to the dead-letter queue. Not called for a
    /// handler the inbox says has handled the event.
    /// </summary>
    Task GiveUpAsync(TEvent integrationEvent, int interruptions, CancellationToken cancellationToken) => Task.CompletedTask;
}
