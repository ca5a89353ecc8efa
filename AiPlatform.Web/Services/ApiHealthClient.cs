using System.Net;
using System.Text.Json;

namespace AiPlatform.Web.Services;

/// <summary>
/// Reads the API's health report. Never throws for a failed probe: every failure becomes an
/// <see cref="ApiHealthStatus.Unreachable"/> result so pages can show it as-is.
/// </summary>
public sealed class ApiHealthClient(HttpClient httpClient, ILogger<ApiHealthClient> logger)
{
    // Relative, so a base address with a path prefix keeps it.
    private const string HealthPath = "api/v1/health";

    public async Task<ApiHealth> CheckAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            using var response = await httpClient.GetAsync(HealthPath, cancellationToken);

            // The API answers 200 or 503 with the same JSON shape; anything else means we did not reach it.
            if (!response.IsSuccessStatusCode && response.StatusCode != HttpStatusCode.ServiceUnavailable)
            {
                return Unreachable($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd());
            }

            var status = await ReadReportedStatusAsync(response, cancellationToken)
                ?? (response.IsSuccessStatusCode ? ApiHealthStatus.Healthy : ApiHealthStatus.Unhealthy);

            return new(status, null, DateTimeOffset.UtcNow);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TaskCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            logger.LogWarning("API health probe timed out after {Timeout}", httpClient.Timeout);
            return Unreachable($"no answer within {httpClient.Timeout.TotalSeconds:0.#} s");
        }
        catch (Exception ex)
        {
            // Connection refused, DNS, TLS, service discovery with no endpoint, ...
            logger.LogWarning(ex, "API health probe failed");
            return Unreachable(ex.Message);
        }
    }

    private static async Task<ApiHealthStatus?> ReadReportedStatusAsync(
        HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var report = await response.Content.ReadFromJsonAsync<HealthReport>(cancellationToken);
            return report?.Status?.ToLowerInvariant() switch
            {
                "healthy" => ApiHealthStatus.Healthy,
                "degraded" => ApiHealthStatus.Degraded,
                "unhealthy" => ApiHealthStatus.Unhealthy,
                _ => null,
            };
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException)
        {
            // No usable body (empty, not JSON): fall back to the status code.
            return null;
        }
    }

    private static ApiHealth Unreachable(string reason) =>
        new(ApiHealthStatus.Unreachable, reason, DateTimeOffset.UtcNow);

    private sealed record HealthReport(string? Status);
}
