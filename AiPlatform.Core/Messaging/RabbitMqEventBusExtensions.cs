using AiPlatform.Core.Messaging.RabbitMq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace AiPlatform.Core.Messaging;

public static class RabbitMqEventBusExtensions
{
    /// <summary>
    /// Registers <see cref="IEventBus"/> on RabbitMQ, configured from the "EventBus" section (<see cref="EventBusOptions"/>),
    /// and, once subscriptions are added to the returned builder, the consumer of this service's queue. Uses the
    /// connection from AddRabbitMQClient(<paramref name="connectionName"/>), adding it if the app hasn't.
    /// </summary>
    public static IEventBusBuilder AddRabbitMqEventBus(this IHostApplicationBuilder builder, string connectionName)
    {
        if (builder.Services.All(d => d.ServiceType != typeof(IConnection)))
        {
            builder.AddRabbitMQClient(connectionName);
        }
        builder.AddActivitySources(EventBusTelemetry.ActivitySourceName);

        builder.Services.AddOptions<EventBusOptions>()
            .BindConfiguration(EventBusOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IEventBus, RabbitMqEventBus>();
        builder.Services.AddHostedService<RabbitMqConsumer>();

        return new EventBusBuilder(builder.Services);
    }

    private sealed class EventBusBuilder(IServiceCollection services) : IEventBusBuilder
    {
        public IServiceCollection Services => services;
    }
}
