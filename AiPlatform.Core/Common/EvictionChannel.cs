using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiPlatform.Core.Common;

/// <summary>
/// A Redis channel on which instances tell each other to drop a copy they cache. Best effort: a message Redis cannot
/// carry is logged and lost, so every cache using it must stay correct with a stale copy (it expires, or is checked).
/// </summary>
public sealed class EvictionChannel(IConnectionMultiplexer redis, RedisChannel channel, ILogger logger)
{
    private static readonly TimeSpan SubscribeRetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>Subscribes, retrying while Redis is unreachable (once subscribed, the client re-subscribes after a reconnect).</summary>
    public async Task SubscribeAsync(Action<RedisValue> evict, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(channel, (_, message) => evict(message));
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                logger.LogWarning(e, "Could not subscribe to {Channel}; other instances' changes reach this one's cache late", channel);
                await Task.Delay(SubscribeRetryDelay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <param name="flags"><see cref="CommandFlags.FireAndForget"/> returns at once, and Redis' refusals go unseen.</param>
    public async Task PublishAsync(RedisValue message, CommandFlags flags = CommandFlags.None)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(channel, message, flags);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning(e, "Could not publish {Message} on {Channel}; other instances' copies stay until they expire or are found stale",
                message.ToString(), channel);
        }
    }
}
