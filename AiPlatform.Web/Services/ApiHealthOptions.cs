using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Web.Services;

/// <summary>How the console probes the API's health (configuration section "ApiHealth").</summary>
public sealed class ApiHealthOptions
{
    public const string SectionName = "ApiHealth";

    /// <summary>How long to wait for an answer before reporting the API unreachable.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
