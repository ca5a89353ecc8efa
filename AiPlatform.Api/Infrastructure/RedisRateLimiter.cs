using System.Globalization;
using AiPlatform.Core.Common;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiPlatform.Api.Infrastructure;

public sealed class RateLimitingOptions
{
    public const string SectionName = "RateLimiting";

    /// <summary>Prefix of the Redis keys, so several deployments (or test runs) can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "aiplatform:ratelimit";

    public FixedWindowPolicy Auth { get; set; } = new();
}

public sealed class FixedWindowPolicy
{
    public int PermitLimit { get; set; } = 10;
    public int WindowSeconds { get; set; } = 60;
}

/// <summary>
/// A fixed-window limiter whose counters live in Redis, so the limit holds across API replicas.
/// Hand-written because the mirror has no Redis-backed limiter for System.Threading.RateLimiting;
/// one atomic script per request (INCR, and set the expiry on the window's first hit).
/// </summary>
public sealed class RedisRateLimiter(IConnectionMultiplexer redis, IOptions<RateLimitingOptions> options, TimeProvider clock)
{
    private static readonly LuaScript IncrementScript = LuaScript.Prepare(
        "local count = redis.call('INCR', @key) " +
        "if count == 1 then redis.call('PEXPIRE', @key, @windowMs) end " +
        "return count");

    public async Task<RateLimitDecision> AcquireAsync(string policyName, FixedWindowPolicy policy, string partition)
    {
        var windowMs = policy.WindowSeconds * 1000L;
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var windowStart = now - now % windowMs;
        var key = $"{options.Value.KeyPrefix}:{policyName}:{partition}:{windowStart}";
        var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(IncrementScript, new { key = (RedisKey)key, windowMs });
        var resetAt = DateTimeOffset.FromUnixTimeMilliseconds(windowStart + windowMs);
        return new RateLimitDecision(count <= policy.PermitLimit, policy.PermitLimit,
            (int)Math.Max(0, policy.PermitLimit - count), resetAt, resetAt - clock.GetUtcNow());
    }
}

public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, DateTimeOffset ResetAt, TimeSpan RetryAfter);

public static class RateLimitingEndpointExtensions
{
    /// <summary>Limits every endpoint of the group per client IP with the <c>RateLimiting:Auth</c> policy.</summary>
    public static RouteGroupBuilder WithAuthRateLimit(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var limiter = http.RequestServices.GetRequiredService<RedisRateLimiter>();
            var policy = http.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.Auth;
            var partition = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
            var decision = await limiter.AcquireAsync("auth", policy, partition);

            var retryAfterSeconds = (int)Math.Ceiling(Math.Max(1, decision.RetryAfter.TotalSeconds));
            // Added as the response starts: the exception handler clears headers set earlier, and errors need them too.
            http.Response.OnStarting(() =>
            {
                var headers = http.Response.Headers;
                headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
                headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
                headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                if (!decision.Allowed)
                {
                    headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                }

                return Task.CompletedTask;
            });
            if (decision.Allowed)
            {
                return await next(context);
            }

            return new ApiError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded,
                $"Too many requests: the limit is {decision.Limit} per {policy.WindowSeconds} s. Retry in {retryAfterSeconds} s.",
                new { limit = decision.Limit, remaining = 0, resetTime = decision.ResetAt.UtcDateTime });
        });
        return group;
    }
}
