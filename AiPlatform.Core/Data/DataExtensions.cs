using AiPlatform.Core.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AiPlatform.Core.Data;

public static class DataExtensions
{
    public const string ConnectionName = "aiplatformdb";
    public const int MaxAutoPrepare = 20;

    /// <summary>
    /// Registers <see cref="AppDbContext"/> and the start-up migration step. The context is not pooled
    /// (unlike AddNpgsqlDbContext) because it carries the unit of work's <see cref="TenantContext"/>;
    /// EnrichNpgsqlDbContext adds the same retry, health check and telemetry Aspire would.
    /// </summary>
    public static IHostApplicationBuilder AddAppDatabase(this IHostApplicationBuilder builder)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(builder.Configuration.GetConnectionString(ConnectionName)
            ?? throw new InvalidOperationException(
                $"ConnectionString is missing. It should be provided in 'ConnectionStrings:{ConnectionName}'."));
        // Every request runs the same few statements (the tenant's set_config first): prepared, PostgreSQL stops parsing
        // and planning them each time, its largest CPU cost per chat turn. A connection string that sets it wins.
        if (connectionString.MaxAutoPrepare == 0)
        {
            connectionString.MaxAutoPrepare = MaxAutoPrepare;
        }

        builder.Services.AddScoped<TenantContext>();
        builder.Services.AddScoped<TenantSessionInterceptor>();
        builder.Services.AddDbContext<AppDbContext>((services, options) => options
            .UseNpgsql(connectionString.ConnectionString)
            .UseSnakeCaseNamingConvention()
            .AddInterceptors(services.GetRequiredService<TenantSessionInterceptor>()));
        builder.EnrichNpgsqlDbContext<AppDbContext>();
        builder.Services.AddHostedService<DatabaseMigrator>();
        return builder;
    }
}
