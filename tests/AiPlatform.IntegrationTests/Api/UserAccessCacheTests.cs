using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiPlatform.IntegrationTests.Api;

/// <summary>
/// The access cache as several API instances see it: each instance is a <see cref="UserAccessCache"/> with a memory
/// cache and a Redis connection of its own, against the real Redis.
/// </summary>
public sealed class UserAccessCacheTests : IAsyncLifetime
{
    private static readonly UserAccess ActiveUser = new(UserRole.TenantUser, TenantStatus.Active);

    private readonly RedisInstances _instances = new();

    public Task InitializeAsync() => _instances.InitializeAsync();

    public Task DisposeAsync() => _instances.DisposeAsync();

    [Fact]
    public async Task A_user_evicted_on_one_instance_is_evicted_on_the_others_well_before_the_entries_expire()
    {
        var here = await StartInstanceAsync();
        var elsewhere = await StartInstanceAsync();
        var (tenantId, userId, colleagueId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        elsewhere.Set(tenantId, userId, ActiveUser);
        elsewhere.Set(tenantId, colleagueId, ActiveUser);

        await here.EvictUserAsync(userId);

        // Well inside the entries' lifetime: the published eviction, not the expiry, removed it.
        await Eventually.TrueAsync(() => elsewhere.Find(tenantId, userId) is null, UserAccessCache.Lifetime / 5, "the eviction elsewhere");
        Assert.NotNull(elsewhere.Find(tenantId, colleagueId));
    }

    [Fact]
    public async Task A_tenant_evicted_on_one_instance_is_evicted_for_all_its_users_on_the_others()
    {
        var here = await StartInstanceAsync();
        var elsewhere = await StartInstanceAsync();
        var (tenantId, otherTenantId, userId, otherUserId) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        elsewhere.Set(tenantId, userId, ActiveUser);
        elsewhere.Set(otherTenantId, otherUserId, ActiveUser);

        await here.EvictTenantAsync(tenantId);

        await Eventually.TrueAsync(() => elsewhere.Find(tenantId, userId) is null, UserAccessCache.Lifetime / 5, "the eviction elsewhere");
        Assert.NotNull(elsewhere.Find(otherTenantId, otherUserId));
    }

    private async Task<UserAccessCache> StartInstanceAsync()
    {
        var redis = await RedisInstances.ConnectAsync();
        var memory = new MemoryCache(new MemoryCacheOptions());
        var cache = new UserAccessCache(memory, redis, NullLogger<UserAccessCache>.Instance);
        _instances.Add(cache, redis);
        await cache.StartAsync(CancellationToken.None);
        await cache.ExecuteTask!;
        return cache;
    }
}
