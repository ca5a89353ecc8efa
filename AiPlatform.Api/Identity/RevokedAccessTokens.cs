using System.Collections.Concurrent;
using StackExchange.Redis;

namespace AiPlatform.Api.Identity;

/// <summary>
/// The access-token deny-list (logout, password change): token ids in a Redis sorted set scored by when each token
/// expires anyway. Every request is checked against it, so each API instance mirrors it in memory and a check costs no
/// round trip. A revocation is published on a Redis channel that every instance applies at once; besides, every
/// <see cref="ResyncInterval"/> an instance re-reads the set, so a revocation whose message was lost (a silently broken
/// subscription) still applies within that interval. While the mirror is not in sync (at start-up, or once a re-read
/// or the connection failed) a check asks Redis itself, as if there were no mirror.
/// </summary>
public sealed class RevokedAccessTokens(IConnectionMultiplexer redis, TimeProvider clock, ILogger<RevokedAccessTokens> logger)
    : BackgroundService
{
    public const string Key = "aiplatform:revoked-access-tokens";

    public static readonly RedisChannel Channel = RedisChannel.Literal("aiplatform:access-token-revoked");

    public static readonly TimeSpan ResyncInterval = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _revoked = new(StringComparer.Ordinal);
    private volatile bool _inSync;

    /// <summary>True while checks are answered from memory.</summary>
    public bool IsInSync => _inSync;

    public ValueTask<bool> IsRevokedAsync(string tokenId) =>
        _inSync ? ValueTask.FromResult(_revoked.ContainsKey(tokenId)) : AskRedisAsync(tokenId);

    /// <summary>Denies the token on every instance until <paramref name="expiresAt"/>, when it would have expired anyway.</summary>
    public async Task RevokeAsync(string tokenId, DateTimeOffset expiresAt)
    {
        var database = redis.GetDatabase();
        await database.SortedSetAddAsync(Key, tokenId, expiresAt.ToUnixTimeSeconds());
        _revoked[tokenId] = expiresAt;
        await database.PublishAsync(Channel, tokenId + " " + expiresAt.ToUnixTimeSeconds());
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        try
        {
            using var timer = new PeriodicTimer(ResyncInterval, clock);
            var subscribed = false;
            do
            {
                try
                {
                    if (!subscribed)
                    {
                        // The client re-subscribes by itself after a reconnect; this is only the first subscription.
                        await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) => Apply(message));
                        subscribed = true;
                    }

                    await ResyncAsync();
                }
                catch (Exception e) when (e is RedisException or TimeoutException)
                {
                    _inSync = false;
                    logger.LogWarning(e, "Could not read the access-token deny-list; checking each request against Redis until it can");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionFailed;
        }
    }

    /// <summary>Adds every live entry, drops the expired ones (here and in Redis); entries are never otherwise removed.</summary>
    private async Task ResyncAsync()
    {
        var now = clock.GetUtcNow();
        var database = redis.GetDatabase();
        await database.SortedSetRemoveRangeByScoreAsync(Key, double.NegativeInfinity, now.ToUnixTimeSeconds(), Exclude.Stop);
        foreach (var entry in await database.SortedSetRangeByScoreWithScoresAsync(Key, now.ToUnixTimeSeconds()))
        {
            _revoked[entry.Element.ToString()] = DateTimeOffset.FromUnixTimeSeconds((long)entry.Score);
        }

        foreach (var (tokenId, expiresAt) in _revoked)
        {
            if (expiresAt < now)
            {
                _revoked.TryRemove(tokenId, out _);
            }
        }

        _inSync = true;
    }

    private void Apply(RedisValue message)
    {
        var parts = message.ToString().Split(' ');
        if (parts.Length == 2 && long.TryParse(parts[1], out var expiresAt))
        {
            _revoked[parts[0]] = DateTimeOffset.FromUnixTimeSeconds(expiresAt);
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) => _inSync = false;

    private async ValueTask<bool> AskRedisAsync(string tokenId) => await redis.GetDatabase().SortedSetScoreAsync(Key, tokenId) is not null;
}
