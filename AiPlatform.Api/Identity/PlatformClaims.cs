using System.Security.Claims;

namespace AiPlatform.Api.Identity;

/// <summary>The claims our access tokens carry, and reading them back.</summary>
public static class PlatformClaims
{
    public const string Subject = "sub";
    public const string TenantId = "tid";
    public const string Role = "role";
    public const string Email = "email";
    public const string TokenId = "jti";

    public static Guid UserId(this ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(Subject)!);

    public static Guid TenantIdOf(this ClaimsPrincipal principal) => Guid.Parse(principal.FindFirstValue(TenantId)!);
}
