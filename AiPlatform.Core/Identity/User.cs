using AiPlatform.Core.Common;

namespace AiPlatform.Core.Identity;

public enum UserRole
{
    PlatformAdmin,
    TenantAdmin,
    TenantUser,
}

public enum UserStatus
{
    /// <summary>Invited; becomes active when the invitation is accepted and a password set.</summary>
    Pending,
    Active,
}

public sealed class User : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public required string Email { get; set; }

    /// <summary>Upper-cased email: the unique login key across the whole platform.</summary>
    public required string NormalizedEmail { get; set; }

    public string? PasswordHash { get; set; }
    public required string FirstName { get; set; }
    public required string LastName { get; set; }
    public UserRole Role { get; set; }
    public UserStatus Status { get; set; }
    public UserPreferences Preferences { get; set; } = new();
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastLoginAt { get; set; }

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

public sealed class UserPreferences
{
    public string Theme { get; set; } = "system";
    public string Language { get; set; } = "en";
    public string Timezone { get; set; } = "UTC";
    public NotificationPreferences Notifications { get; set; } = new();
}

public sealed class NotificationPreferences
{
    public bool Email { get; set; } = true;
    public bool InApp { get; set; } = true;
}
