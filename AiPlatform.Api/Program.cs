using AiPlatform.Api.Apis;
using AiPlatform.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseApiConventions();
app.MapDefaultEndpoints();
app.MapApiDocumentation();

var v1 = app.MapApiV1();
v1.MapHealthApi();
v1.MapAuthApi();
v1.MapUsersApi();
v1.MapTenantsApi();
v1.MapAdminApi();
v1.MapModelsApi();
v1.MapAssistantsApi();
v1.MapConversationsApi();
v1.MapChatApi();
v1.MapCreditsApi();
v1.MapDocumentsApi();
v1.MapKnowledgeApi();

app.Run();
