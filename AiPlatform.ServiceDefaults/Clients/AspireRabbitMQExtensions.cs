using System.Diagnostics;
using System.Net.Sockets;
using AiPlatform.ServiceDefaults.Clients;
using Aspire.RabbitMQ.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly;
using Polly.Retry;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Microsoft.Extensions.Hosting;

/// <summary>Stand-in for Aspire.RabbitMQ.Client 13.1 (RabbitMQ.Client 7.x flavour; same method name, parameters and behaviour).</summary>
/// <remarks>Aspire also forwards RabbitMQ.Client's EventSource to ILogger; not ported, to keep this small.</remarks>
public static class AspireRabbitMQExtensions
{
    private const string DefaultConfigSectionName = "Aspire:RabbitMQ:Client";
    private const string HealthCheckName = "RabbitMQ.Client";
    private const string ActivitySourceName = "Aspire.RabbitMQ.Client";
    private static readonly ActivitySource s_activitySource = new(ActivitySourceName);

    /// <summary>
    /// Registers singleton <see cref="IConnectionFactory"/> and <see cref="IConnection"/> (opened with retries), a health check and tracing.
    /// Settings come from "Aspire:RabbitMQ:Client" then ":{connectionName}"; "ConnectionStrings:{connectionName}" wins over their ConnectionString.
    /// The factory is bound from the sections' "ConnectionFactory" keys, then its Uri is set from the connection string.
    /// </summary>
    public static void AddRabbitMQClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<RabbitMQClientSettings>? configureSettings = null,
        Action<ConnectionFactory>? configureConnectionFactory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = builder.Configuration.BindSettings<RabbitMQClientSettings>(DefaultConfigSectionName, connectionName);
        if (builder.Configuration.GetConnectionString(connectionName) is string connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configureSettings?.Invoke(settings);

        var section = builder.Configuration.GetSection(DefaultConfigSectionName);
        var factorySections = new[] { section.GetSection("ConnectionFactory"), section.GetSection(connectionName).GetSection("ConnectionFactory") };

        builder.Services.AddSingleton<IConnectionFactory>(_ =>
        {
            // Deviation: Aspire silently falls back to guest@localhost:5672 here; we fail loudly unless a
            // ConnectionFactory section says where the broker is.
            if (!factorySections.Any(s => s.Exists()))
            {
                ClientWiring.ThrowIfMissingConnectionString(settings.ConnectionString, connectionName, DefaultConfigSectionName);
            }

            var factory = new ConnectionFactory();
            foreach (var factorySection in factorySections)
            {
                factorySection.Bind(factory);
            }
            if (!string.IsNullOrEmpty(settings.ConnectionString))
            {
                factory.Uri = new Uri(settings.ConnectionString);
            }
            configureConnectionFactory?.Invoke(factory);
            return factory;
        });
        builder.Services.AddSingleton(sp => Connect(sp.GetRequiredService<IConnectionFactory>(), settings.MaxConnectRetryCount));

        if (!settings.DisableAutoActivation)
        {
            builder.Services.ActivateSingleton<IConnection>();
        }

        if (!settings.DisableTracing)
        {
            // RabbitMQ.Client 7 publishes "RabbitMQ.Client.Publisher" and "RabbitMQ.Client.Subscriber".
            builder.AddActivitySources(ActivitySourceName, "RabbitMQ.Client.*");
        }

        if (!settings.DisableHealthChecks)
        {
            builder.TryAddHealthCheck(HealthCheckName, checks => checks.Add(
                new HealthCheckRegistration(HealthCheckName, sp => new RabbitMQHealthCheck(sp), failureStatus: null, tags: null)));
        }
    }

    private static IConnection Connect(IConnectionFactory factory, int maxRetries)
    {
        // The broker often starts after us (containers, local mode), so retry only "not reachable (yet)" failures.
        var pipeline = maxRetries <= 0
            ? ResiliencePipeline.Empty
            : new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SocketException>().Handle<BrokerUnreachableException>(),
                BackoffType = DelayBackoffType.Exponential,
                MaxRetryAttempts = maxRetries,
                Delay = TimeSpan.FromSeconds(1),
            }).Build();

        using var activity = s_activitySource.StartActivity("rabbitmq connect", ActivityKind.Client);
        activity?.SetTag("server.address", factory.Uri.Host).SetTag("server.port", factory.Uri.Port).SetTag("messaging.system", "rabbitmq");
        try
        {
            // DI factories are synchronous; blocking once at first resolution is what Aspire does too.
            return pipeline.ExecuteAsync(static async (f, ct) => await f.CreateConnectionAsync(ct), factory)
                .AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            activity?.AddException(ex).SetStatus(ActivityStatusCode.Error);
            throw;
        }
    }
}
