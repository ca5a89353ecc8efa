using System.Text.Json;
using System.Text.Json.Serialization;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
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
        services.AddOptions<SeedOptions>().BindConfiguration(SeedOptions.SectionName);
        services.AddScoped<IDatabaseSeeder, PlatformAdminSeeder>();
        services.AddSingleton<IPasswordHasher<User>, PasswordHasher<User>>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<IEmailSender, LoggingEmailSender>();
        services.AddScoped<AuthService>();
    }
}
