using System.Text.Json.Serialization;

namespace AiPlatform.Web.Services;

public enum ApiHealthStatus
{
    Healthy,
    Degraded,
    Unhealthy,
    /// <summary>No health report could be read: connection failure, timeout or an unexpected response.</summary>
    Unreachable,
}

/// <summary>The outcome of one probe of the API's health endpoint.</summary>
/// <param name="Reason">Why the API was unreachable; null otherwise.</param>
public sealed record ApiHealth(ApiHealthStatus Status, string? Reason, DateTimeOffset CheckedAt)
{
    [JsonIgnore]
    public string Summary => Status == ApiHealthStatus.Unreachable
        ? $"API: unreachable ({Reason})"
        : $"API: {Status}";
}
