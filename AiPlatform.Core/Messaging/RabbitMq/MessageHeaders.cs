using System.Diagnostics;
using System.Text;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>What the bus carries in message headers besides the event itself.</summary>
public static class MessageHeaders
{
    /// <summary>Failed deliveries so far; set when a message goes round through the retry queue.</summary>
    public const string RetryCount = "retry-count";

    /// <summary>
    /// Writes <paramref name="context"/> (W3C traceparent/tracestate) and the current baggage into
    /// <paramref name="headers"/>, with whatever propagator OpenTelemetry is configured with.
    /// </summary>
    public static void InjectTraceContext(IDictionary<string, object?> headers, ActivityContext context) =>
        Propagators.DefaultTextMapPropagator.Inject(
            new PropagationContext(context, Baggage.Current), headers, static (carrier, key, value) => carrier[key] = value);

    /// <summary>Reads back what <see cref="InjectTraceContext"/> wrote; the broker delivers string headers as UTF-8 bytes.</summary>
    public static PropagationContext ExtractTraceContext(IDictionary<string, object?>? headers) =>
        headers is null
            ? default
            : Propagators.DefaultTextMapPropagator.Extract(default, headers, static (carrier, key) =>
                carrier.TryGetValue(key, out var value) && AsString(value) is { } text ? [text] : []);

    public static int GetRetryCount(IDictionary<string, object?>? headers) =>
        headers is not null && headers.TryGetValue(RetryCount, out var value)
            ? value switch
            {
                int count => count,
                long count => (int)count,
                _ => 0,
            }
            : 0;

    /// <summary>A copy of <paramref name="headers"/> recording one more failed delivery.</summary>
    public static Dictionary<string, object?> WithRetryCount(IDictionary<string, object?>? headers, int retryCount) =>
        new(headers ?? new Dictionary<string, object?>()) { [RetryCount] = retryCount };

    private static string? AsString(object? value) => value switch
    {
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        string text => text,
        _ => null,
    };
}
