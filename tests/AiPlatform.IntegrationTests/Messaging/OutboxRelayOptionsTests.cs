extern alias worker;

using OutboxRelayOptions = worker::AiPlatform.Worker.Outbox.OutboxRelayOptions;

namespace AiPlatform.IntegrationTests.Messaging;

// A unit test; it lives here because this is the test project that references the Worker.
public sealed class OutboxRelayOptionsTests
{
    [Theory]
    [InlineData(1, 1_000)]
    [InlineData(2, 2_000)]
    [InlineData(5, 16_000)]
    [InlineData(6, 30_000)]
    [InlineData(1_000, 30_000)]
    public void Backoff_doubles_from_the_poll_interval_up_to_the_ceiling(int consecutiveFailures, int expectedMilliseconds)
    {
        var options = new OutboxRelayOptions { PollInterval = TimeSpan.FromMilliseconds(500), MaxBackoff = TimeSpan.FromSeconds(30) };

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), options.BackoffAfter(consecutiveFailures));
    }
}
