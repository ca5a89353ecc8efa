using AiPlatform.Core.Messaging;

namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>
/// A document needs (re)processing at <paramref name="Version"/>: staged with the upload or the reprocess request in
/// the same transaction, so the Worker's pipeline receives it through the outbox. A job for an older version than the
/// document's current one is stale.
/// </summary>
public sealed record DocumentUploadedIntegrationEvent(Guid DocumentId, Guid TenantId, int Version) : IntegrationEvent
{
    public const string Type = "document.uploaded";

    public override string EventType => Type;
}
