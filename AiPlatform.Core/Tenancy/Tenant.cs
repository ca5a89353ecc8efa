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
}

public sealed class TenantBranding
{
    public string? PrimaryColor { get; set; }
    public string? SecondaryColor { get; set; }
    public string? LogoUrl { get; set; }
}
