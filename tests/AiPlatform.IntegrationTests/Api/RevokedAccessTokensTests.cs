using AiPlatform.Api.Identity;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AiPlatform.IntegrationTests.Api;

/// <summary>
/// The deny-list as several API instances see it: each instance is a <see cref="RevokedAccessTokens"/> on a Redis
/// connection of its own, against the real Redis.
/// </summary>
public sealed class RevokedAccessTokensTests : IAsyncLifetime
{
    private readonly RedisInstances _instances = new();

    public Task InitializeAsync() => _instances.InitializeAsync();

    public Task DisposeAsync() => _instances.DisposeAsync();

    [Fact]
    public async Task A_revocation_applies_at_once_on_another_running_instance()
    {
        var (here, _) = await StartInstanceAsync();
        var (elsewhere, _) = await StartInstanceAsync();
        var tokenId = NewTokenId();
        Assert.False(await elsewhere.IsRevokedAsync(tokenId));

        await here.RevokeAsync(tokenId, DateTimeOffset.UtcNow.AddMinutes(15));

        Assert.True(await here.IsRevokedAsync(tokenId));
        // Well inside the resync interval: the published message, not the periodic re-read, carried it.
        Assert.True(await EventuallyAsync(() => elsewhere.IsRevokedAsync(tokenId).AsTask(), RevokedAccessTokens.ResyncInterval / 2));
    }

    [Fact]
    public async Task An_instance_denies_what_was_revoked_before_it_started_even_before_its_first_read()
    {
        var (here, _) = await StartInstanceAsync();
        var tokenId = NewTokenId();
        await here.RevokeAsync(tokenId, DateTimeOffset.UtcNow.AddMinutes(15));

        var (notStarted, _) = await StartInstanceAsync(start: false);
        Assert.True(await notStarted.IsRevokedAsync(tokenId)); // Not in sync yet: asks Redis.
        Assert.False(await notStarted.IsRevokedAsync(NewTokenId()));

        var (started, _) = await StartInstanceAsync();
        Assert.True(await started.IsRevokedAsync(tokenId));
    }

    [Fact]
    public async Task Entries_leave_Redis_once_their_token_has_expired()
    {
        var (here, redis) = await StartInstanceAsync();
        var expired = NewTokenId();
        var live = NewTokenId();
        await redis.GetDatabase().SortedSetAddAsync(RevokedAccessTokens.Key, expired, DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds());
        await here.RevokeAsync(live, DateTimeOffset.UtcNow.AddMinutes(15));

        Assert.True(await EventuallyAsync(async () => await redis.GetDatabase().SortedSetScoreAsync(RevokedAccessTokens.Key, expired) is null,
            RevokedAccessTokens.ResyncInterval * 3));
        Assert.NotNull(await redis.GetDatabase().SortedSetScoreAsync(RevokedAccessTokens.Key, live));
    }

    private static string NewTokenId() => Guid.NewGuid().ToString("N");

    private async Task<(RevokedAccessTokens Tokens, IConnectionMultiplexer Redis)> StartInstanceAsync(bool start = true)
    {
        var redis = await RedisInstances.ConnectAsync();
        var tokens = new RevokedAccessTokens(redis, TimeProvider.System, NullLogger<RevokedAccessTokens>.Instance);
        _instances.Add(tokens, redis);
        if (start)
        {
            await tokens.StartAsync(CancellationToken.None);
            Assert.True(await EventuallyAsync(() => Task.FromResult(tokens.IsInSync), TimeSpan.FromSeconds(5)));
        }

        return (tokens, redis);
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }
}
