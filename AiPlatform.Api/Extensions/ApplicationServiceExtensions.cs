using System.Text.Json;
using System.Text.Json.Serialization;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Api.Apis;
using AiPlatform.Core.AI;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Credits;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Knowledge.Search;
using FluentValidation;
using Microsoft.AspNetCore.Identity;

namespace AiPlatform.Api.Extensions;

public static class ApplicationServiceExtensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;

        builder.AddAppDatabase();
        builder.AddRedisClient("cache");
        builder.AddRabbitMQClient("messaging");

        services.AddSingleton(TimeProvider.System);
        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // A number sent as a string is a wrong type, not a number (the web defaults would accept "10").
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper, allowIntegerValues: false));
        });
        // Malformed requests throw, so the exception handler can say precisely what was wrong with them.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<ApiExceptionHandler>();
        services.AddOptions<RequestLimitsOptions>().BindConfiguration(RequestLimitsOptions.SectionName);
        services.AddValidatorsFromAssemblyContaining<Program>(ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddOpenApi();

        services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.SectionName);
        services.AddSingleton<RedisRateLimiter>();

        builder.AddPlatformAuthentication();
        services.AddMemoryCache();
        services.AddSingleton<UserAccessCache>();
        services.AddHostedService(provider => provider.GetRequiredService<UserAccessCache>());
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.SectionName);
        services.AddScoped<IDatabaseSeeder, PlatformAdminSeeder>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<IEmailSender, LoggingEmailSender>();
        services.AddScoped<AuthService>();
        services.AddCredits();
        builder.AddAiModels();
        services.AddAssistantTools();
        services.AddScoped<ChatService>();
        services.AddScoped<ConversationTurnReader>();
        services.AddScoped<ConversationTurnStarter>();
        services.AddOptions<ConversationTurnCacheOptions>().BindConfiguration(ConversationTurnCacheOptions.SectionName)
            .Validate(o => o.SizeLimit >= 0 && o.SlidingExpiration > TimeSpan.Zero,
                $"{ConversationTurnCacheOptions.SectionName}: SizeLimit must not be negative and SlidingExpiration must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ConversationTurnCache>();
        services.AddHostedService(provider => provider.GetRequiredService<ConversationTurnCache>());
        services.AddSingleton(provider => new AssistantDefaults(provider.GetRequiredService<ModelCatalog>().Default.Id));
        AiPlatform.Core.Knowledge.Documents.DocumentsServiceExtensions.AddDocuments(services);
        builder.AddKnowledgeSearch();
    }
}
