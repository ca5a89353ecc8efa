using AiPlatform.Core.Messaging;

namespace AiPlatform.UnitTests.Messaging;

public sealed class EventBusOptionsTests
{
    [Theory]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    [InlineData(6, false)]
    public void A_failing_message_is_retried_until_it_has_used_its_attempts(int failedAttempts, bool retried) =>
        Assert.Equal(retried, new EventBusOptions { MaxDeliveryAttempts = 5 }.ShouldRetry(failedAttempts));

    [Fact]
    public void With_a_single_attempt_the_first_failure_dead_letters() =>
        Assert.False(new EventBusOptions { MaxDeliveryAttempts = 1 }.ShouldRetry(1));
}
