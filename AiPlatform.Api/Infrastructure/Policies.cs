using AiPlatform.Api.Identity;
using Microsoft.AspNetCore.Authorization;

namespace AiPlatform.Api.Infrastructure;

public static class Policies
{
    public const string PlatformAdmin = nameof(PlatformAdmin);
    public const string TenantAdmin = nameof(TenantAdmin);

    public static AuthorizationBuilder AddPlatformPolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(PlatformAdmin, policy => policy.RequireRole(RoleNames.PlatformAdmin))
        .AddPolicy(TenantAdmin, policy => policy.RequireRole(RoleNames.TenantAdmin, RoleNames.PlatformAdmin));
}
