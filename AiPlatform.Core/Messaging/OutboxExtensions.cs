using System.Diagnostics;
using System.Text.Json;
using AiPlatform.Core.Data;

namespace AiPlatform.Core.Messaging;

public static class OutboxExtensions
{
    public static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>Stages <paramref name="integrationEvent"/> for publication when the context's changes commit.</summary>
    public static void AddIntegrationEvent(this AppDbContext db, IntegrationEvent integrationEvent) =>
        db.OutboxMessages.Add(ToOutboxMessage(integrationEvent));

    /// <summary>The event as the bus sends it, tied to the current trace.</summary>
    internal static OutboxMessage ToOutboxMessage(IntegrationEvent integrationEvent)
    {
        var activity = Activity.Current;
        return new OutboxMessage
        {
            Id = integrationEvent.Id,
            EventType = integrationEvent.EventType,
            Payload = JsonSerializer.Serialize(integrationEvent, integrationEvent.GetType(), PayloadJson),
            OccurredAt = integrationEvent.OccurredAt,
            TraceParent = activity?.Id,
            TraceState = activity?.TraceStateString,
        };
    }
}
