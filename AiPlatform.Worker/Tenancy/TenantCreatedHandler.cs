using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;

namespace AiPlatform.Worker.Tenancy;

/// <summary>
/// Records each new tenant: the inbox row the bus writes in this handler's transaction is the record. Runs as the
/// new tenant, so tenant data added here later (provisioning defaults, say) passes row-level security.
/// </summary>
public sealed class TenantCreatedHandler(ILogger<TenantCreatedHandler> logger) : IIntegrationEventHandler<TenantCreatedIntegrationEvent>
{
    public Guid? TenantOf(TenantCreatedIntegrationEvent integrationEvent) => integrationEvent.TenantId;

    public Task HandleAsync(TenantCreatedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        logger.LogInformation("Tenant {TenantId} ({TenantName}) was created at {OccurredAt}",
            integrationEvent.TenantId, integrationEvent.Name, integrationEvent.OccurredAt);
        return Task.CompletedTask;
    }
}
