using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;
using Microsoft.Extensions.Caching.Memory;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// What <see cref="TenantResolutionMiddleware"/> re-checks on every request (the user is still active, their role, their
/// tenant's status), kept for <see cref="Lifetime"/> so that a request, a chat turn above all, does not pay a database
/// round trip for it. The endpoints that change these evict on this instance at once. Another API instance keeps the
/// old answer until it expires (as does this one if a check read the old row just before the eviction): there a removed
/// user, a role change or a suspension takes up to <see cref="Lifetime"/> to apply. Logout is unaffected (see <see cref="Identity.RevokedAccessTokens"/>).
/// </summary>
public sealed class UserAccessCache(IMemoryCache cache)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public UserAccess? Find(Guid tenantId, Guid userId) =>
        cache.TryGetValue(new UserKey(userId), out UserRole role) && cache.TryGetValue(new TenantKey(tenantId), out TenantStatus status)
            ? new UserAccess(role, status)
            : null;

    /// <summary>Only an active user is kept: anyone else is refused, and refusals need not be fast.</summary>
    public void Set(Guid tenantId, Guid userId, UserAccess access)
    {
        cache.Set(new UserKey(userId), access.Role, Lifetime);
        cache.Set(new TenantKey(tenantId), access.TenantStatus, Lifetime);
    }

    public void EvictUser(Guid userId) => cache.Remove(new UserKey(userId));

    public void EvictTenant(Guid tenantId) => cache.Remove(new TenantKey(tenantId));

    private readonly record struct UserKey(Guid UserId);

    private readonly record struct TenantKey(Guid TenantId);
}

/// <summary>An active user's role and their tenant's status.</summary>
public sealed record UserAccess(UserRole Role, TenantStatus TenantStatus);
