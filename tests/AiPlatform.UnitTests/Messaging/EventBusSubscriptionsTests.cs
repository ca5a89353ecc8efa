using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;

namespace AiPlatform.UnitTests.Messaging;

public sealed class EventBusSubscriptionsTests
{
    [Fact]
    public void An_event_is_subscribed_under_its_event_type_which_is_its_routing_key()
    {
        var subscriptions = new EventBusSubscriptions();

        subscriptions.Add<TenantCreatedIntegrationEvent, FirstHandler>();

        Assert.Equal([TenantCreatedIntegrationEvent.Type], subscriptions.EventTypes);
        Assert.True(subscriptions.TryGet("tenant.created", out var subscription));
        Assert.Equal(typeof(TenantCreatedIntegrationEvent), subscription.EventClrType);
    }

    [Fact]
    public void Each_handler_of_an_event_is_registered_once_and_named_apart_in_the_inbox()
    {
        var subscriptions = new EventBusSubscriptions();

        subscriptions.Add<TenantCreatedIntegrationEvent, FirstHandler>();
        subscriptions.Add<TenantCreatedIntegrationEvent, SecondHandler>();
        subscriptions.Add<TenantCreatedIntegrationEvent, FirstHandler>();

        Assert.True(subscriptions.TryGet(TenantCreatedIntegrationEvent.Type, out var subscription));
        Assert.Equal(["worker:FirstHandler", "worker:SecondHandler"], subscription.Handlers.Select(h => h.ConsumerName("worker")));
    }

    [Fact]
    public void Two_event_classes_cannot_claim_the_same_event_type()
    {
        var subscriptions = new EventBusSubscriptions();
        subscriptions.Add<TenantCreatedIntegrationEvent, FirstHandler>();

        Assert.Throws<InvalidOperationException>(() => subscriptions.Add<ImpostorEvent, ImpostorHandler>());
    }

    [Fact]
    public void An_unknown_event_type_has_no_subscription() =>
        Assert.False(new EventBusSubscriptions().TryGet("tenant.created", out _));

    private sealed class FirstHandler : IIntegrationEventHandler<TenantCreatedIntegrationEvent>
    {
        public Task HandleAsync(TenantCreatedIntegrationEvent integrationEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SecondHandler : IIntegrationEventHandler<TenantCreatedIntegrationEvent>
    {
        public Task HandleAsync(TenantCreatedIntegrationEvent integrationEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed record ImpostorEvent : IntegrationEvent
    {
        public override string EventType => TenantCreatedIntegrationEvent.Type;
    }

    private sealed class ImpostorHandler : IIntegrationEventHandler<ImpostorEvent>
    {
        public Task HandleAsync(ImpostorEvent integrationEvent, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
