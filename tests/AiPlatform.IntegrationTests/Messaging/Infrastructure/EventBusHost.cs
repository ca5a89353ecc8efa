using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>A service wired as the real ones are (service defaults, database, bus), subscribed to <see cref="ProbeEvent"/>.</summary>
public static class EventBusHost
{
    public static async Task<IHost> StartAsync(MessagingDatabase database, TestBroker broker, HandlerProbe probe)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(broker.Settings);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:aiplatformdb"] = database.ConnectionString,
            ["EventBus:MaxDeliveryAttempts"] = "3",
            ["EventBus:RetryDelay"] = "00:00:00.100",
        });

        builder.AddServiceDefaults();
        builder.AddAppDatabase();
        builder.AddRabbitMqEventBus("messaging")
            .AddSubscription<ProbeEvent, ProbeHandler>();
        builder.Services.AddSingleton(probe);

        var host = builder.Build();
        await host.StartAsync();
        await broker.WaitForConsumerAsync();
        return host;
    }
}
