using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Core.Tenancy;

public static class TenantScopeExtensions
{
    /// <summary>
    /// A service scope that acts for <paramref name="tenantId"/>: its AppDbContext opens connections under that
    /// tenant's row-level security. For background work that must commit apart from the unit of work it runs in.
    /// </summary>
    public static AsyncServiceScope CreateTenantScope(this IServiceScopeFactory scopes, Guid tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().SetTenant(tenantId);
        return scope;
    }
}
