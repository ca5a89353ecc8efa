using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Core.Messaging;

/// <summary>Returned by AddRabbitMqEventBus so subscriptions can be chained onto it.</summary>
public interface IEventBusBuilder
{
    IServiceCollection Services { get; }
}
