namespace AiPlatform.Core.Tenancy;

public enum TenantStatus
{
    Active,
    Suspended,
}

public sealed class Tenant
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public required string Name { get; set; }
    public TenantStatus Status { get; set; } = TenantStatus.Active;
    public TenantSettings Settings { get; set; } = new();
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}

public sealed class TenantSettings
{
    public string Timezone { get; set; } = "UTC";
    public string Language { get; set; } = "en";
    public TenantBranding Branding { get; set; } = new();
    public ToolSettings Tools { get; set; } = new();
}

public sealed class TenantBranding
{
    public string? PrimaryColor { get; set; }
    public string? SecondaryColor { get; set; }
    public string? LogoUrl { get; set; }
}

/// <summary>Per-tenant settings of the assistant tools (see AiPlatform.Core.Assistants.Tools).</summary>
public sealed class ToolSettings
{
    /// <summary>
    /// Hosts the <c>http_get</c> tool may fetch from: exact names (<c>docs.example.com</c>) or <c>*.example.com</c>
    /// for any subdomain (not the bare domain). Empty, the default, means <c>http_get</c> fetches nothing.
    /// </summary>
    public List<string> HttpGetAllowedHosts { get; set; } = [];
}
