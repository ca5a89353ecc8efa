using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using AiPlatform.Worker.Ingestion;
using AiPlatform.Worker.Outbox;
using AiPlatform.Worker.Tenancy;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAppDatabase();
builder.AddRabbitMQClient("messaging");
builder.AddRabbitMqEventBus("messaging")
    .AddSubscription<TenantCreatedIntegrationEvent, TenantCreatedHandler>()
    .AddSubscription<DocumentUploadedIntegrationEvent, DocumentUploadedHandler>();
builder.AddOutboxRelay();
builder.AddDocumentIngestion();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
