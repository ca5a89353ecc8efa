using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Core.Messaging;

/// <summary>Bound from the "EventBus" configuration section.</summary>
public sealed class EventBusOptions
{
    public const string SectionName = "EventBus";

    /// <summary>
    /// Names this service's queue. Replicas of a service share it, so each event is handled once per service.
    /// </summary>
    [Required]
    public string SubscriptionClientName { get; set; } = "";

    /// <summary>The topic exchange every service publishes to; the routing key is the event type.</summary>
    [Required]
    public string ExchangeName { get; set; } = "aiplatform.events";

    /// <summary>Deliveries a message gets before a failing handler sends it to the dead-letter queue.</summary>
    [Range(1, 100)]
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>
    /// Deliveries in a row whose handling a message may leave unfinished (the process died under it: a crash, an
    /// out-of-memory kill, kill -9) before its next delivery gives it up instead of handling it: the handlers record
    /// the failure (<see cref="IIntegrationEventHandler{TEvent}.GiveUpAsync"/>) and it goes to the dead-letter queue.
    /// A graceful shutdown hands its messages back uncounted, and a message interrupted once runs alone from then on,
    /// so another message's crashes are not charged to it: a healthy message is given up only if the process dies
    /// under it this many times in a row.
    /// </summary>
    [Range(1, 100)]
    public int MaxInterruptedDeliveries { get; set; } = 3;

    /// <summary>How long a failed message waits in the retry queue before it is delivered again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unacknowledged messages the broker may push to this service at once.</summary>
    [Range(1, 1000)]
    public ushort PrefetchCount { get; set; } = 10;

    /// <summary>
    /// Messages this service handles at once (at most <see cref="PrefetchCount"/>). Handlers must then tolerate running
    /// side by side; the inbox still runs each message once.
    /// </summary>
    [Range(1, 100)]
    public ushort ConsumerConcurrency { get; set; } = 1;

    /// <summary>How long a publish may wait for the broker's confirm before it counts as failed.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before trying again to start consuming after the broker could not be reached.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether a message whose handling has now failed <paramref name="failedAttempts"/> times (this one included)
    /// gets another delivery; if not, it goes to the dead-letter queue.
    /// </summary>
    public bool ShouldRetry(int failedAttempts) => failedAttempts < MaxDeliveryAttempts;

    /// <summary>Whether a message whose last <paramref name="interruptions"/> deliveries never finished is given up.</summary>
    public bool ShouldGiveUp(int interruptions) => interruptions >= MaxInterruptedDeliveries;
}
