using AiPlatform.Core.Tenancy;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>Where tools read the settings of the tenant a turn runs for.</summary>
public interface ITenantSettingsSource
{
    /// <summary>The tenant's settings, or the defaults (nothing allowed, UTC) for a tenant that doesn't exist.</summary>
    Task<TenantSettings> GetAsync(Guid tenantId, CancellationToken cancellationToken);
}
