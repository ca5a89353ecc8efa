using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using AiPlatform.Worker.Outbox;
using AiPlatform.Worker.Tenancy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAppDatabase();
builder.AddRabbitMQClient("messaging");
builder.AddRabbitMqEventBus("messaging")
    .AddSubscription<TenantCreatedIntegrationEvent, TenantCreatedHandler>();
builder.AddOutboxRelay();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
