using AiPlatform.Core.Common;

namespace AiPlatform.Core.Identity;

public enum UserTokenPurpose
{
    PasswordReset,
    Invitation,
}

/// <summary>A single-use token mailed to a user (password reset, invitation). Only its SHA-256 is stored.</summary>
public sealed class UserToken : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid UserId { get; init; }
    public UserTokenPurpose Purpose { get; init; }
    public required string TokenHash { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? UsedAt { get; set; }
}
