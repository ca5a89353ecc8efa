namespace AiPlatform.AppHost.Local;

/// <summary>
/// Local mode settings, section <c>Local</c>: appsettings.json, overridden by environment variables
/// (<c>Local__Urls__api=...</c>) and command-line arguments (<c>--Local:Urls:api=http://localhost:5280</c>).
/// </summary>
internal sealed class LocalOptions
{
    public const string SectionName = "Local";

    /// <summary>Connection strings of the stores, keyed by resource name, in the shapes Aspire injects.</summary>
    public StoreConnectionStrings ConnectionStrings { get; set; } = new();

    /// <summary>Each service's own URL (its ASPNETCORE_URLS, and what referencing services discover).</summary>
    public ServiceUrls Urls { get; set; } = new();

    /// <summary>ASPNETCORE_ENVIRONMENT / DOTNET_ENVIRONMENT of the services.</summary>
    public string Environment { get; set; } = "Development";

    /// <summary>How long to wait for every service's /health to answer 200 before printing the table anyway.</summary>
    public int HealthTimeoutSeconds { get; set; } = 120;

    /// <summary>Seed__AdminEmail for the api; the password is generated once per machine.</summary>
    public string AdminEmail { get; set; } = "admin@aiplatform.local";

    /// <summary>Where the per-machine secrets live; empty means <c>~/.aiplatform</c>.</summary>
    public string? SecretsDirectory { get; set; }

    /// <summary>OTLP collector for the services (OTEL_EXPORTER_OTLP_ENDPOINT); empty means none.</summary>
    public string? OtlpEndpoint { get; set; }

    public IEnumerable<string> Validate()
    {
        foreach (var (name, value) in ConnectionStrings.All())
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"Local:ConnectionStrings:{name} is empty";
            }
        }
        foreach (var (name, value) in Urls.All())
        {
            if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.IsDefaultPort)
            {
                yield return $"Local:Urls:{name} must be an absolute http(s) URL with a port, not '{value}'";
            }
        }
        if (HealthTimeoutSeconds <= 0)
        {
            yield return "Local:HealthTimeoutSeconds must be positive";
        }
    }
}

internal sealed class StoreConnectionStrings
{
    public string AiPlatformDb { get; set; } = "";
    public string Cache { get; set; } = "";
    public string Messaging { get; set; } = "";

    public IEnumerable<(string Name, string Value)> All() =>
        [("aiplatformdb", AiPlatformDb), ("cache", Cache), ("messaging", Messaging)];

    public string Get(string name) => All().Single(c => c.Name == name).Value;
}

internal sealed class ServiceUrls
{
    public string Api { get; set; } = "";
    public string Worker { get; set; } = "";
    public string Web { get; set; } = "";

    public IEnumerable<(string Name, string Value)> All() => [("api", Api), ("worker", Worker), ("web", Web)];

    public Uri Get(string name) => new(All().Single(u => u.Name == name).Value);
}
