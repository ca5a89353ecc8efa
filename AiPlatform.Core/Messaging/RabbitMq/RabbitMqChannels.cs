using RabbitMQ.Client;

namespace AiPlatform.Core.Messaging.RabbitMq;

internal static class RabbitMqChannels
{
    /// <summary>
    /// A channel with tracked publisher confirms: BasicPublishAsync returns once the broker has taken the message,
    /// and throws if the broker nacks it or the channel closes first. A consuming channel hands up to
    /// <paramref name="consumerConcurrency"/> deliveries to its handlers at once.
    /// </summary>
    public static Task<IChannel> CreateConfirmedChannelAsync(
        this IConnection connection, CancellationToken cancellationToken, ushort consumerConcurrency = 1) =>
        connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                consumerDispatchConcurrency: consumerConcurrency),
            cancellationToken);
}
