namespace AiPlatform.Core.Messaging;

/// <summary>
/// Records that a consumer handled an event, in the same transaction as the handler's own changes,
/// so a redelivered message is recognised and skipped (at-least-once delivery, exactly-once effect).
/// </summary>
public sealed class InboxMessage
{
    public Guid MessageId { get; init; }
    public required string Consumer { get; init; }
    public required string EventType { get; init; }
    public DateTime ProcessedAt { get; init; }
}
