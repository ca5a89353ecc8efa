using System.Diagnostics;
using System.Text;
using AiPlatform.Core.Messaging.RabbitMq;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace AiPlatform.UnitTests.Messaging;

public sealed class MessageHeadersTests
{
    static MessageHeadersTests() =>
        // What the OpenTelemetry SDK installs when AddServiceDefaults builds the tracer provider.
        Sdk.SetDefaultTextMapPropagator(new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]));

    [Fact]
    public void Trace_context_survives_the_trip_through_the_broker()
    {
        var sent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=value");
        var headers = new Dictionary<string, object?>();

        MessageHeaders.InjectTraceContext(headers, sent);
        var received = MessageHeaders.ExtractTraceContext(AsDelivered(headers)).ActivityContext;

        Assert.Equal(sent.TraceId, received.TraceId);
        Assert.Equal(sent.SpanId, received.SpanId);
        Assert.Equal(sent.TraceFlags, received.TraceFlags);
        Assert.Equal("vendor=value", received.TraceState);
        Assert.True(received.IsRemote);
    }

    [Fact]
    public void Trace_context_is_written_as_w3c_traceparent()
    {
        var sent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var headers = new Dictionary<string, object?>();

        MessageHeaders.InjectTraceContext(headers, sent);

        Assert.Equal($"00-{sent.TraceId}-{sent.SpanId}-01", headers["traceparent"]);
    }

    [Fact]
    public void Baggage_travels_with_the_trace_context()
    {
        var sent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var headers = new Dictionary<string, object?>();
        var previous = Baggage.Current;
        try
        {
            Baggage.Current = Baggage.Create(new Dictionary<string, string> { ["tenant"] = "t-1" });
            MessageHeaders.InjectTraceContext(headers, sent);
        }
        finally
        {
            Baggage.Current = previous;
        }

        Assert.Equal("t-1", MessageHeaders.ExtractTraceContext(AsDelivered(headers)).Baggage.GetBaggage("tenant"));
    }

    [Fact]
    public void A_message_without_trace_headers_starts_no_trace()
    {
        Assert.Equal(default, MessageHeaders.ExtractTraceContext(null).ActivityContext);
        Assert.Equal(default, MessageHeaders.ExtractTraceContext(new Dictionary<string, object?> { ["other"] = "x"u8.ToArray() }).ActivityContext);
    }

    [Fact]
    public void Retry_count_is_zero_until_a_retry_sets_it()
    {
        Assert.Equal(0, MessageHeaders.GetRetryCount(null));
        Assert.Equal(0, MessageHeaders.GetRetryCount(new Dictionary<string, object?>()));
        Assert.Equal(3, MessageHeaders.GetRetryCount(MessageHeaders.WithRetryCount(null, 3)));
        // AMQP may hand an integer back as a 64-bit value.
        Assert.Equal(4, MessageHeaders.GetRetryCount(new Dictionary<string, object?> { [MessageHeaders.RetryCount] = 4L }));
    }

    [Fact]
    public void Recording_a_retry_keeps_the_other_headers_and_leaves_the_delivered_ones_alone()
    {
        var delivered = new Dictionary<string, object?> { ["traceparent"] = "tp"u8.ToArray(), [MessageHeaders.RetryCount] = 1 };

        var retried = MessageHeaders.WithRetryCount(delivered, 2);

        Assert.Equal(2, retried[MessageHeaders.RetryCount]);
        Assert.Same(delivered["traceparent"], retried["traceparent"]);
        Assert.Equal(1, delivered[MessageHeaders.RetryCount]);
    }

    // The broker hands string headers back as UTF-8 bytes.
    private static Dictionary<string, object?> AsDelivered(Dictionary<string, object?> headers) =>
        headers.ToDictionary(h => h.Key, h => h.Value is string text ? (object?)Encoding.UTF8.GetBytes(text) : h.Value);
}
