using AiPlatform.Core.Common;

namespace AiPlatform.Core.Identity;

/// <summary>
/// One refresh token of a rotation family. Only the SHA-256 of the token is stored. Presenting a token
/// that was already rotated revokes the whole family: the token has leaked.
/// </summary>
public sealed class RefreshToken : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid UserId { get; init; }
    public Guid FamilyId { get; init; }
    public required string TokenHash { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime ExpiresAt { get; init; }
    public DateTime? RotatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}
