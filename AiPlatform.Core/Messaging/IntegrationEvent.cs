using System.Text.Json.Serialization;

namespace AiPlatform.Core.Messaging;

/// <summary>
/// A fact one service tells the others, carried by the bus. <see cref="EventType"/> is the routing key
/// and the name consumers subscribe to (e.g. <c>tenant.created</c>).
/// </summary>
public abstract record IntegrationEvent
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public DateTime OccurredAt { get; init; } = DateTime.UtcNow;

    [JsonIgnore]
    public abstract string EventType { get; }
}
