using AiPlatform.Core.Messaging;
using AiPlatform.Core.Messaging.RabbitMq;

namespace AiPlatform.UnitTests.Messaging;

public sealed class EventBusTopologyTests
{
    [Fact]
    public void Names_derive_from_the_exchange_and_the_subscription_client()
    {
        var topology = EventBusTopology.For(new EventBusOptions { ExchangeName = "aiplatform.events", SubscriptionClientName = "worker" });

        Assert.Equal("aiplatform.events", topology.Exchange);
        Assert.Equal("aiplatform.events.dlx", topology.DeadLetterExchange);
        Assert.Equal("worker", topology.Queue);
        Assert.Equal("worker.retry", topology.RetryQueue);
        Assert.Equal("worker.dlq", topology.DeadLetterQueue);
    }

    [Fact]
    public void The_default_exchange_is_the_platform_one() =>
        Assert.Equal("aiplatform.events", new EventBusOptions().ExchangeName);
}
