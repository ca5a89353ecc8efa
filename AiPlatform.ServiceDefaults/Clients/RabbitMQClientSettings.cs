namespace Aspire.RabbitMQ.Client;

/// <summary>
/// Settings for <c>AddRabbitMQClient</c>; same namespace, name and properties as Aspire.RabbitMQ.Client 13.1.
/// </summary>
public sealed class RabbitMQClientSettings
{
    /// <summary>The broker URI, e.g. "amqp://user:pass@host:5672".</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Connection attempts retried on an unreachable broker (exponential backoff from 1 s). Default 5; 0 disables retries.</summary>
    public int MaxConnectRetryCount { get; set; } = 5;

    /// <summary>Turns off the "RabbitMQ.Client" health check. Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Turns off the RabbitMQ tracing sources. Default false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>When false, the connection is opened at startup instead of on first use. Default true.</summary>
    public bool DisableAutoActivation { get; set; } = true;
}
