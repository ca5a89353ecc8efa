using System.Diagnostics;

namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>Spans for publishing and processing events, tagged per the OpenTelemetry messaging conventions.</summary>
internal static class EventBusTelemetry
{
    public const string ActivitySourceName = "AiPlatform.Messaging";

    private static readonly ActivitySource Source = new(ActivitySourceName);

    public static Activity? StartPublish(string exchange, string eventType, Guid messageId, ActivityContext parent) =>
        Start($"{eventType} publish", ActivityKind.Producer, parent, "send", exchange, eventType, messageId.ToString());

    public static Activity? StartProcess(string queue, string? eventType, string? messageId, ActivityContext parent) =>
        Start($"{eventType} process", ActivityKind.Consumer, parent, "process", queue, eventType, messageId);

    public static void RecordFailure(this Activity? activity, Exception exception) =>
        activity?.AddException(exception).SetStatus(ActivityStatusCode.Error);

    private static Activity? Start(
        string name, ActivityKind kind, ActivityContext parent, string operation, string destination, string? eventType, string? messageId) =>
        Source.StartActivity(name, kind, parent)?
            .SetTag("messaging.system", "rabbitmq")
            .SetTag("messaging.operation.type", operation)
            .SetTag("messaging.destination.name", destination)
            .SetTag("messaging.rabbitmq.destination.routing_key", eventType)
            .SetTag("messaging.message.id", messageId);
}
