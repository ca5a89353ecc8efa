using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Binds an authenticated request to its tenant, and re-checks what a token cannot know: the user may
/// have been removed or had their role changed, and the tenant may have been suspended since it was issued
/// (briefly cached, see <see cref="UserAccessCache"/>).
/// </summary>
public sealed class TenantResolutionMiddleware(RequestDelegate next, UserAccessCache accessCache)
{
    public async Task InvokeAsync(HttpContext context, AppDbContext db)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var userId = context.User.UserId();
        var tenantId = context.User.TenantIdOf();
        db.Tenant.SetTenant(tenantId, userId);
        var current = accessCache.Find(tenantId, userId);
        if (current is null)
        {
            current = await db.Users
                .Where(u => u.Id == userId && u.Status == UserStatus.Active)
                .Select(u => new UserAccess(u.Role, db.Tenants.Where(t => t.Id == u.TenantId).Select(t => t.Status).FirstOrDefault()))
                .SingleOrDefaultAsync(context.RequestAborted);
            if (current is not null)
            {
                accessCache.Set(tenantId, userId, current);
            }
        }

        if (current is null)
        {
            await new ApiError(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed,
                "This account no longer exists or is not active.").ExecuteAsync(context);
            return;
        }

        if (current.TenantStatus == TenantStatus.Suspended)
        {
            await ApiError.FromDomain(AuthService.TenantSuspended).ExecuteAsync(context);
            return;
        }

        var identity = (ClaimsIdentity)context.User.Identity;
        var roleName = RoleNames.Of(current.Role);
        if (identity.FindFirst(PlatformClaims.Role)?.Value != roleName)
        {
            identity.TryRemoveClaim(identity.FindFirst(PlatformClaims.Role));
            identity.AddClaim(new Claim(PlatformClaims.Role, roleName));
        }

        await next(context);
    }
}
