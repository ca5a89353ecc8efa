using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Worker.Outbox;

/// <summary>Bound from the "OutboxRelay" configuration section.</summary>
public sealed class OutboxRelayOptions
{
    public const string SectionName = "OutboxRelay";

    /// <summary>
    /// How long the relay sleeps after finding fewer than a batch of events, unless notified of new ones first (the
    /// fallback for notifications missed); after a full batch it goes again at once.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Ceiling for the wait between attempts while publishing keeps failing (it doubles from <see cref="PollInterval"/>).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BackoffAfter(int consecutiveFailures)
    {
        // Capping the exponent keeps the multiplication finite; MaxBackoff caps the result.
        var backoff = PollInterval * Math.Pow(2, Math.Min(consecutiveFailures, 30));
        return backoff < MaxBackoff ? backoff : MaxBackoff;
    }
}
