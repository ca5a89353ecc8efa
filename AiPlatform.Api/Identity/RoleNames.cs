using AiPlatform.Core.Identity;

namespace AiPlatform.Api.Identity;

/// <summary>Role names as they appear in tokens, JSON and authorization policies.</summary>
public static class RoleNames
{
    public const string PlatformAdmin = "PLATFORM_ADMIN";
    public const string TenantAdmin = "TENANT_ADMIN";
    public const string TenantUser = "TENANT_USER";

    public static string Of(UserRole role) => Infrastructure.ApiEnum.Name(role);
}
