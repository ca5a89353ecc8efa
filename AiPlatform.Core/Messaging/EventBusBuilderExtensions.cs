using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.Core.Messaging;

public static class EventBusBuilderExtensions
{
    /// <summary>
    /// Binds this service's queue to <typeparamref name="TEvent"/>'s event type and runs <typeparamref name="THandler"/>
    /// for each one received. Several handlers may subscribe to the same event; each runs, and is recorded, on its own.
    /// </summary>
    public static IEventBusBuilder AddSubscription<TEvent, THandler>(this IEventBusBuilder builder)
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        builder.Services.TryAddScoped<THandler>();
        builder.Services.TryAddScoped<IntegrationEventDelivery>();
        builder.Services.Configure<EventBusSubscriptions>(subscriptions => subscriptions.Add<TEvent, THandler>());
        return builder;
    }
}
