using AiPlatform.Core.Data;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// Reads the settings in a scope of its own, set to the tenant: SK may run several tool calls of one model
/// answer at once, while the turn's own <see cref="AppDbContext"/> may be in use, and a DbContext serves one
/// operation at a time. Setting the tenant keeps the query filter and row-level security in force.
/// </summary>
internal sealed class DbTenantSettingsSource(IServiceScopeFactory scopes) : ITenantSettingsSource
{
    public async Task<TenantSettings> GetAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetTenant(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var tenant = await db.Tenants.AsNoTracking().SingleOrDefaultAsync(t => t.Id == tenantId, cancellationToken);
        if (tenant is null)
        {
            return new TenantSettings();
        }

        // Settings saved before ToolSettings existed have no "Tools" in their JSON, and EF then leaves it null.
        tenant.Settings.Tools ??= new ToolSettings();
        return tenant.Settings;
    }
}
