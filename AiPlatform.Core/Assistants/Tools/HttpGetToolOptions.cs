using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>Bound from the "Tools:HttpGet" configuration section.</summary>
public sealed class HttpGetToolOptions
{
    public const string SectionName = "Tools:HttpGet";

    /// <summary>How long one fetch may take in all: connecting, every redirect hop and reading the body.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most of a response body read and returned; the rest is cut off with a note.</summary>
    [Range(1, 1024 * 1024)]
    public int MaxResponseBytes { get; set; } = 100 * 1024;

    /// <summary>How many redirects one fetch follows, each hop vetted like the first URL.</summary>
    [Range(0, 10)]
    public int MaxRedirects { get; set; } = 3;
}
