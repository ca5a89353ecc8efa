using System.Text.Json.Serialization;
using AiPlatform.Core.Messaging;

namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>
/// The pipeline moved a document to <paramref name="Status"/> (PROCESSING, PROCESSED or ERROR) at
/// <paramref name="Version"/>; <paramref name="Error"/> is the readable reason for ERROR. Staged through the outbox in
/// the transaction that makes the change, for whoever shows document status live.
/// </summary>
public sealed record DocumentStatusChangedIntegrationEvent(
    Guid DocumentId, Guid TenantId, int Version,
    [property: JsonConverter(typeof(JsonStringEnumConverter<DocumentStatus>))] DocumentStatus Status,
    int ChunkCount, string? Error) : IntegrationEvent
{
    public const string Type = "document.status-changed";

    public override string EventType => Type;
}
