namespace AiPlatform.Core.Identity;

/// <summary>Bound from <c>Seed</c>: the platform admin created in Development.</summary>
public sealed class SeedOptions
{
    public const string SectionName = "Seed";

    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }
    public string PlatformTenantName { get; set; } = "Platform";
}
