using AiPlatform.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiPlatform.Api.Apis;

/// <summary>Health under the API's base path: a public summary, and per-dependency detail for platform admins.</summary>
public static class HealthApi
{
    public static RouteGroupBuilder MapHealthApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/health").WithTags("Health");
        api.MapGet("/", GetHealth).AllowAnonymous();
        api.MapGet("/detailed", GetDetailedHealth).RequireAuthorization(Policies.PlatformAdmin);
        return api;
    }

    public static async Task<JsonHttpResult<HealthSummary>> GetHealth(HealthCheckService health, TimeProvider clock, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        return TypedResults.Json(new HealthSummary(report.Status.ToString(), clock.GetUtcNow().UtcDateTime), statusCode: StatusFor(report));
    }

    public static async Task<JsonHttpResult<HealthDetail>> GetDetailedHealth(HealthCheckService health, TimeProvider clock, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken);
        var checks = report.Entries.ToDictionary(
            e => e.Key,
            e => new HealthCheckDetail(e.Value.Status.ToString(), e.Value.Duration.TotalMilliseconds, e.Value.Description ?? e.Value.Exception?.Message));
        return TypedResults.Json(
            new HealthDetail(report.Status.ToString(), clock.GetUtcNow().UtcDateTime, report.TotalDuration.TotalMilliseconds, checks),
            statusCode: StatusFor(report));
    }

    private static int StatusFor(HealthReport report) =>
        report.Status == HealthStatus.Unhealthy ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
}

public sealed record HealthSummary(string Status, DateTime Timestamp);

public sealed record HealthDetail(string Status, DateTime Timestamp, double DurationMs, IReadOnlyDictionary<string, HealthCheckDetail> Checks);

public sealed record HealthCheckDetail(string Status, double DurationMs, string? Description);
