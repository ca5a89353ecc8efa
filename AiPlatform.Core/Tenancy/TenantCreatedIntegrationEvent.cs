using AiPlatform.Core.Messaging;

namespace AiPlatform.Core.Tenancy;

public sealed record TenantCreatedIntegrationEvent(Guid TenantId, string Name) : IntegrationEvent
{
    public const string Type = "tenant.created";

    public override string EventType => Type;
}
