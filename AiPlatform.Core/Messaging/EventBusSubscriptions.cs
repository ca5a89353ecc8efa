using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using AiPlatform.Core.Data;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Core.Messaging;

/// <summary>The event types this service consumes, keyed by <see cref="IntegrationEvent.EventType"/>, with their handlers.</summary>
internal sealed class EventBusSubscriptions
{
    private readonly Dictionary<string, EventSubscription> _byEventType = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> EventTypes => _byEventType.Keys;

    public bool TryGet(string eventType, [MaybeNullWhen(false)] out EventSubscription subscription) =>
        _byEventType.TryGetValue(eventType, out subscription);

    public void Add<TEvent, THandler>()
        where TEvent : IntegrationEvent
        where THandler : class, IIntegrationEventHandler<TEvent>
    {
        // EventType is a per-type constant, but C# can't demand a static member of every event; an instance
        // that skips the constructor is enough to read it.
        var eventType = ((TEvent)RuntimeHelpers.GetUninitializedObject(typeof(TEvent))).EventType;
        if (!_byEventType.TryGetValue(eventType, out var subscription))
        {
            _byEventType[eventType] = subscription = new EventSubscription(typeof(TEvent));
        }
        else if (subscription.EventClrType != typeof(TEvent))
        {
            throw new InvalidOperationException(
                $"Event type '{eventType}' is subscribed as both {subscription.EventClrType.Name} and {typeof(TEvent).Name}.");
        }

        if (subscription.Handlers.All(h => h.HandlerType != typeof(THandler)))
        {
            subscription.Handlers.Add(new HandlerRegistration<TEvent, THandler>());
        }
    }
}

internal sealed class EventSubscription(Type eventClrType)
{
    public Type EventClrType { get; } = eventClrType;
    public List<HandlerRegistration> Handlers { get; } = [];
}

internal abstract class HandlerRegistration(Type handlerType)
{
    public Type HandlerType { get; } = handlerType;

    /// <summary>
    /// The inbox's consumer name: per service and handler, so each handler of an event runs once even when
    /// another has already handled it, and services sharing a handler class don't skip each other's work.
    /// </summary>
    public string ConsumerName(string subscriptionClientName) => $"{subscriptionClientName}:{HandlerType.Name}";

    /// <summary>Runs the handler unless the inbox says it already ran; false when it was skipped as a duplicate.</summary>
    public abstract Task<bool> HandleOnceAsync(
        IServiceProvider scopedServices, IntegrationEvent integrationEvent, string consumer, CancellationToken cancellationToken);

    /// <summary>
    /// Lets the handler record that the event is given up (<see cref="IIntegrationEventHandler{TEvent}.GiveUpAsync"/>),
    /// unless the inbox says it handled it: a count left over from a settled copy never fails finished work.
    /// </summary>
    public abstract Task GiveUpAsync(
        IServiceProvider scopedServices, IntegrationEvent integrationEvent, string consumer, int interruptions, CancellationToken cancellationToken);
}

internal sealed class HandlerRegistration<TEvent, THandler>() : HandlerRegistration(typeof(THandler))
    where TEvent : IntegrationEvent
    where THandler : class, IIntegrationEventHandler<TEvent>
{
    public override Task<bool> HandleOnceAsync(
        IServiceProvider scopedServices, IntegrationEvent integrationEvent, string consumer, CancellationToken cancellationToken)
    {
        var (handler, db, typedEvent) = Resolve(scopedServices, integrationEvent);
        return db.HandleOnceAsync(integrationEvent, consumer, ct => handler.HandleAsync(typedEvent, ct), cancellationToken);
    }

    public override async Task GiveUpAsync(
        IServiceProvider scopedServices, IntegrationEvent integrationEvent, string consumer, int interruptions, CancellationToken cancellationToken)
    {
        var (handler, db, typedEvent) = Resolve(scopedServices, integrationEvent);
        if (!await db.HasHandledAsync(integrationEvent, consumer, cancellationToken))
        {
            await handler.GiveUpAsync(typedEvent, interruptions, cancellationToken);
        }
    }

    private static (IIntegrationEventHandler<TEvent> Handler, AppDbContext Db, TEvent TypedEvent) Resolve(
        IServiceProvider scopedServices, IntegrationEvent integrationEvent)
    {
        IIntegrationEventHandler<TEvent> handler = scopedServices.GetRequiredService<THandler>();
        var db = scopedServices.GetRequiredService<AppDbContext>();
        var typedEvent = (TEvent)integrationEvent;
        if (handler.TenantOf(typedEvent) is { } tenantId)
        {
            db.Tenant.SetTenant(tenantId);
        }
        return (handler, db, typedEvent);
    }
}
