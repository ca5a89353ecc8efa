using RabbitMQ.Client;

namespace AiPlatform.Core.Messaging.RabbitMq;

internal static class RabbitMqChannels
{
    /// <summary>
    /// A channel with tracked publisher confirms: BasicPublishAsync returns once the broker has taken the message,
    /// and throws if the broker nacks it or the channel closes first.
    /// </summary>
    public static Task<IChannel> CreateConfirmedChannelAsync(this IConnection connection, CancellationToken cancellationToken) =>
        connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken);
}
