namespace AiPlatform.Core.Messaging;

/// <summary>
/// An integration event saved in the same transaction as the change that raised it, and published
/// later by the relay: a change is never committed without its event, nor an event sent for a change
/// that rolled back.
/// </summary>
public sealed class OutboxMessage
{
    public Guid Id { get; init; }
    public required string EventType { get; init; }
    public required string Payload { get; init; }
    public DateTime OccurredAt { get; init; }

    /// <summary>W3C traceparent of the request that raised the event, so the consumer's span joins its trace.</summary>
    public string? TraceParent { get; init; }

    public string? TraceState { get; init; }
    public int Attempts { get; set; }
    public string? LastError { get; set; }
    public DateTime? SentAt { get; set; }
}
