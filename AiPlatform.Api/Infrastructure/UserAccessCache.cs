using AiPlatform.Core.Common;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;
using Microsoft.Extensions.Caching.Memory;
using StackExchange.Redis;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// What <see cref="TenantResolutionMiddleware"/> re-checks on every request (the user is still active, their role, their
/// tenant's status), kept for <see cref="Lifetime"/> so that a request, a chat turn above all, does not pay a database
/// round trip for it. The endpoints that change these evict here at once and publish the eviction on a Redis channel
/// that every other API instance applies as soon as it arrives. If Redis cannot carry it, or a check read the old row
/// just before the eviction, the old answer lasts until it expires: a removed user, a role change or a suspension then
/// takes up to <see cref="Lifetime"/> to apply. Logout is unaffected (see <see cref="Identity.RevokedAccessTokens"/>).
/// </summary>
public sealed class UserAccessCache(IMemoryCache cache, IConnectionMultiplexer redis, ILogger<UserAccessCache> logger) : BackgroundService
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(5);

    public static readonly RedisChannel Channel = RedisChannel.Literal("aiplatform:user-access-changed");

    private const string UserPrefix = "user:";
    private const string TenantPrefix = "tenant:";

    private readonly EvictionChannel _evictions = new(redis, Channel, logger);

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

    public Task EvictUserAsync(Guid userId) => EvictEverywhereAsync(UserPrefix, userId);

    public Task EvictTenantAsync(Guid tenantId) => EvictEverywhereAsync(TenantPrefix, tenantId);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _evictions.SubscribeAsync(Evict, stoppingToken);

    private Task EvictEverywhereAsync(string prefix, Guid id)
    {
        var message = prefix + id;
        Evict(message);
        // The change is committed: if Redis cannot carry it, other instances' copies still expire within the lifetime.
        return _evictions.PublishAsync(message);
    }

    private void Evict(RedisValue message)
    {
        var text = message.ToString();
        if (text.StartsWith(UserPrefix, StringComparison.Ordinal) && Guid.TryParse(text.AsSpan(UserPrefix.Length), out var userId))
        {
            cache.Remove(new UserKey(userId));
        }
        else if (text.StartsWith(TenantPrefix, StringComparison.Ordinal) && Guid.TryParse(text.AsSpan(TenantPrefix.Length), out var tenantId))
        {
            cache.Remove(new TenantKey(tenantId));
        }
    }

    private readonly record struct UserKey(Guid UserId);

    private readonly record struct TenantKey(Guid TenantId);
}

/// <summary>An active user's role and their tenant's status.</summary>
public sealed record UserAccess(UserRole Role, TenantStatus TenantStatus);
