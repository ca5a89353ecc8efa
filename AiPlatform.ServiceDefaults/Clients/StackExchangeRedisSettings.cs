namespace Aspire.StackExchange.Redis;

/// <summary>
/// Settings for <c>AddRedisClient</c>; same namespace, name and properties as Aspire.StackExchange.Redis 13.1.
/// </summary>
public sealed class StackExchangeRedisSettings
{
    /// <summary>The StackExchange.Redis configuration string, e.g. "host:port,password=...".</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Turns off the "StackExchange.Redis" health check. Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Turns off tracing. Default false. Kept for compatibility: this implementation emits no Redis spans (see AspireRedisExtensions).</summary>
    public bool DisableTracing { get; set; }

    /// <summary>When false, the multiplexer is created at startup instead of on first use. Default true.</summary>
    public bool DisableAutoActivation { get; set; } = true;
}
