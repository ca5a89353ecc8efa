using AiPlatform.ServiceDefaults.Clients;
using Aspire.StackExchange.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StackExchange.Redis.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>Stand-in for Aspire.StackExchange.Redis 13.1 (same method name, parameters and behaviour).</summary>
/// <remarks>
/// No tracing: Aspire's comes from OpenTelemetry.Instrumentation.StackExchangeRedis, which the package mirror lacks,
/// and StackExchange.Redis 3.x emits no ActivitySource of its own.
/// </remarks>
public static class AspireRedisExtensions
{
    private const string DefaultConfigSectionName = "Aspire:StackExchange:Redis";
    private const string HealthCheckName = "StackExchange.Redis";

    /// <summary>
    /// Registers a singleton <see cref="IConnectionMultiplexer"/> and its health check. Settings come from
    /// "Aspire:StackExchange:Redis" then ":{connectionName}"; "ConnectionStrings:{connectionName}" wins over their ConnectionString.
    /// ConfigurationOptions are parsed from the connection string, then bound from the sections' "ConfigurationOptions" keys.
    /// </summary>
    public static void AddRedisClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<StackExchangeRedisSettings>? configureSettings = null,
        Action<ConfigurationOptions>? configureOptions = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = builder.Configuration.BindSettings<StackExchangeRedisSettings>(DefaultConfigSectionName, connectionName);
        if (builder.Configuration.GetConnectionString(connectionName) is string connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configureSettings?.Invoke(settings);

        var section = builder.Configuration.GetSection(DefaultConfigSectionName);
        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            var options = string.IsNullOrEmpty(settings.ConnectionString)
                ? new ConfigurationOptions()
                : ConfigurationOptions.Parse(settings.ConnectionString);
            // A default, not a hard setting, so "abortConnect=true" in the connection string still wins (as in Aspire).
            if (options.Defaults.GetType() == typeof(DefaultOptionsProvider))
            {
                options.Defaults = new RetryingDefaults();
            }
            section.GetSection("ConfigurationOptions").Bind(options);
            section.GetSection(connectionName).GetSection("ConfigurationOptions").Bind(options);
            configureOptions?.Invoke(options);

            if (options.EndPoints.Count == 0)
            {
                throw new InvalidOperationException(
                    $"No endpoints specified. Ensure a valid connection string was provided in 'ConnectionStrings:{connectionName}' or for the '{DefaultConfigSectionName}:ConnectionString' configuration key.");
            }
            options.LoggerFactory ??= sp.GetService<ILoggerFactory>();

            return ConnectionMultiplexer.Connect(options);
        });

        if (!settings.DisableAutoActivation)
        {
            builder.Services.ActivateSingleton<IConnectionMultiplexer>();
        }

        if (!settings.DisableHealthChecks)
        {
            builder.TryAddHealthCheck(HealthCheckName, checks => checks.Add(
                new HealthCheckRegistration(HealthCheckName, sp => new RedisHealthCheck(sp), failureStatus: null, tags: null)));
        }
    }

    // Keep retrying in the background instead of failing startup when Redis isn't up yet, even in local development.
    private sealed class RetryingDefaults : DefaultOptionsProvider
    {
        public override bool AbortOnConnectFail => false;
    }
}
