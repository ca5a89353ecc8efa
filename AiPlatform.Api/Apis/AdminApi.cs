using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

/// <summary>Platform administration: the only endpoints that see across tenants, each inside a system scope.</summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/admin/tenants").WithTags("Admin").RequireAuthorization(Policies.PlatformAdmin);
        api.MapGet("/", ListTenants);
        api.MapGet("/{id:guid}", GetTenant);
        api.MapPost("/{id:guid}/suspend", (Guid id, AppDbContext db, UserAccessCache accessCache, TimeProvider clock, CancellationToken ct) =>
            SetStatus(id, TenantStatus.Suspended, db, accessCache, clock, ct));
        api.MapPost("/{id:guid}/activate", (Guid id, AppDbContext db, UserAccessCache accessCache, TimeProvider clock, CancellationToken ct) =>
            SetStatus(id, TenantStatus.Active, db, accessCache, clock, ct));
        return api;
    }

    public static async Task<Ok<PagedResult<AdminTenantResponse>>> ListTenants(
        [AsParameters] TenantListQuery query, AppDbContext db, CancellationToken cancellationToken)
    {
        using var system = db.Tenant.BeginSystemScope();
        var tenants = db.Tenants.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            tenants = tenants.Where(t => EF.Functions.ILike(t.Name, $"%{query.Search.Trim()}%"));
        }

        if (ApiEnum.Parse<TenantStatus>(query.Status) is { } status)
        {
            tenants = tenants.Where(t => t.Status == status);
        }

        var page = await tenants.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id)
            .Select(AdminTenantResponse.Projection(db))
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<AdminTenantResponse>, ApiError>> GetTenant(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        using var system = db.Tenant.BeginSystemScope();
        var tenant = await db.Tenants.AsNoTracking().Where(t => t.Id == id)
            .Select(AdminTenantResponse.Projection(db)).SingleOrDefaultAsync(cancellationToken);
        return tenant is null ? ApiError.NotFound("Tenant") : TypedResults.Ok(tenant);
    }

    private static async Task<Results<Ok<AdminTenantResponse>, ApiError>> SetStatus(
        Guid id, TenantStatus status, AppDbContext db, UserAccessCache accessCache, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (id == db.Tenant.TenantId)
        {
            return ApiError.FromDomain(DomainException.Validation("id", "You cannot change the status of your own tenant."));
        }

        using var system = db.Tenant.BeginSystemScope();
        var updated = await db.Tenants.Where(t => t.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(t => t.Status, status)
            .SetProperty(t => t.UpdatedAt, clock.GetUtcNow().UtcDateTime), cancellationToken);
        await accessCache.EvictTenantAsync(id);
        return updated == 0 ? ApiError.NotFound("Tenant") : await GetTenant(id, db, cancellationToken);
    }
}

public sealed record AdminTenantResponse(
    Guid Id, string Name, TenantStatus Status, TenantSettings Settings, int UserCount, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static System.Linq.Expressions.Expression<Func<Tenant, AdminTenantResponse>> Projection(AppDbContext db) =>
        t => new AdminTenantResponse(t.Id, t.Name, t.Status, t.Settings, db.Users.Count(u => u.TenantId == t.Id), t.CreatedAt, t.UpdatedAt);
}

public sealed record TenantListQuery(int? Page, int? PageSize, string? Search, string? Status) : PageQuery(Page, PageSize);

public sealed class TenantListQueryValidator : AbstractValidator<TenantListQuery>
{
    public TenantListQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Status).IsApiEnum<TenantListQuery, TenantStatus>("status");
    }
}
