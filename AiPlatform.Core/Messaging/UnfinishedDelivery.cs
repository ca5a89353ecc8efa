namespace AiPlatform.Core.Messaging;

/// <summary>
/// How many deliveries of a message to a queue started to be handled and have not finished. It is counted up before
/// the handlers run and cleared once the message is settled, so a count left over when the message comes back is the
/// number of times in a row the process handling it died (see <see cref="EventBusOptions.MaxInterruptedDeliveries"/>).
/// Kept in the database, not in the message: a process that dies cannot republish it with a new header.
/// </summary>
public sealed class UnfinishedDelivery
{
    public Guid MessageId { get; init; }
    public required string Queue { get; init; }
    public int Count { get; init; }
}
