namespace AiPlatform.Core.Messaging;

/// <summary>
/// Which delivery of its message a handler is running in: scoped, filled by the consumer before the handler runs, so
/// a handler can report "retrying" on an early failure and a final state on the last one.
/// </summary>
public sealed class IntegrationEventDelivery
{
    /// <summary>1 for the first delivery.</summary>
    public int Attempt { get; internal set; } = 1;

    public int MaxAttempts { get; internal set; } = 1;

    /// <summary>True when a failure now sends the message to the dead-letter queue.</summary>
    public bool IsLastAttempt => Attempt >= MaxAttempts;
}

/// <summary>
/// Thrown by a handler for a message that can never succeed (its content is unusable, not the circumstances): the
/// consumer dead-letters it at once instead of spending the remaining attempts.
/// </summary>
public sealed class PoisonMessageException(string message, Exception? innerException = null) : Exception(message, innerException);
