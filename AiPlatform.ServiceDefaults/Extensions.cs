using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

// Shaped like the Aspire 13.1 ServiceDefaults template so the services behave the same with or without the Aspire AppHost.
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                // Probes poll these constantly; tracing them only buries real requests.
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = context =>
                    !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                    && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        // Without an endpoint (plain `dotnet run`, tests) the exporter would only log connection failures.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>Adds ActivitySource names to the tracing set up by <see cref="ConfigureOpenTelemetry{TBuilder}"/>.</summary>
    /// <remarks>OpenTelemetry merges every WithTracing call into one provider, so this composes with the defaults; "Prefix.*" wildcards work.</remarks>
    public static TBuilder AddActivitySources<TBuilder>(this TBuilder builder, params string[] sourceNames) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(sourceNames));
        return builder;
    }

    /// <summary>Adds Meter names to the metrics set up by <see cref="ConfigureOpenTelemetry{TBuilder}"/>.</summary>
    public static TBuilder AddMeters<TBuilder>(this TBuilder builder, params string[] meterNames) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(meterNames));
        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);

        return builder;
    }

    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        // Unlike the template (Development only), mapped in every environment: the Aspire AppHost's
        // WithHttpHealthCheck("/health") and our local-mode AppHost poll them whatever the environment,
        // and the default response writer exposes only the overall status, no check details.
        app.MapHealthChecks(HealthEndpointPath);

        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains("live")
        });

        return app;
    }
}
