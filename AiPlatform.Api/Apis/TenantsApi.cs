using System.Security.Claims;
using System.Text.RegularExpressions;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Tenancy;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AiPlatform.Api.Apis;

public static partial class TenantsApi
{
    private static readonly TimeSpan InvitationLifetime = TimeSpan.FromDays(7);

    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/tenants/current").WithTags("Tenants");
        api.MapGet("/", GetCurrent);
        api.MapPut("/", UpdateCurrent).RequireAuthorization(Policies.TenantAdmin);

        var members = api.MapGroup("/users").RequireAuthorization(Policies.TenantAdmin);
        members.MapGet("/", ListMembers);
        members.MapPost("/", InviteMember);
        members.MapPut("/{id:guid}/role", ChangeRole);
        members.MapDelete("/{id:guid}", RemoveMember);
        return api;
    }

    public static async Task<Ok<TenantResponse>> GetCurrent(AppDbContext db, CancellationToken cancellationToken)
    {
        var tenantId = db.Tenant.RequiredTenantId;
        var tenant = await db.Tenants.AsNoTracking().SingleAsync(t => t.Id == tenantId, cancellationToken);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }

    public static async Task<Ok<TenantResponse>> UpdateCurrent(
        UpdateTenantRequest request, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tenantId = db.Tenant.RequiredTenantId;
        var tenant = await db.Tenants.SingleAsync(t => t.Id == tenantId, cancellationToken);
        tenant.Name = request.Name?.Trim() ?? tenant.Name;
        if (request.Settings is { } settings)
        {
            var branding = settings.Branding;
            tenant.Settings = new TenantSettings
            {
                Timezone = settings.Timezone ?? tenant.Settings.Timezone,
                Language = settings.Language ?? tenant.Settings.Language,
                Branding = new TenantBranding
                {
                    PrimaryColor = branding?.PrimaryColor ?? tenant.Settings.Branding.PrimaryColor,
                    SecondaryColor = branding?.SecondaryColor ?? tenant.Settings.Branding.SecondaryColor,
                    LogoUrl = branding?.LogoUrl ?? tenant.Settings.Branding.LogoUrl,
                },
                Tools = new ToolSettings
                {
                    HttpGetAllowedHosts = settings.Tools?.HttpGetAllowedHosts?.Select(h => h.Trim().ToLowerInvariant()).Distinct().ToList()
                        ?? tenant.Settings.Tools.HttpGetAllowedHosts,
                },
            };
        }

        tenant.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(TenantResponse.From(tenant));
    }

    public static async Task<Ok<PagedResult<MemberResponse>>> ListMembers(
        [AsParameters] MemberListQuery query, AppDbContext db, CancellationToken cancellationToken)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = $"%{query.Search.Trim()}%";
            users = users.Where(u => EF.Functions.ILike(u.Email, pattern)
                || EF.Functions.ILike(u.FirstName, pattern) || EF.Functions.ILike(u.LastName, pattern));
        }

        if (ApiEnum.Parse<UserRole>(query.Role) is { } role)
        {
            users = users.Where(u => u.Role == role);
        }

        if (ApiEnum.Parse<UserStatus>(query.Status) is { } status)
        {
            users = users.Where(u => u.Status == status);
        }

        var page = await users.OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => new MemberResponse(u.Id, u.Email, u.FirstName, u.LastName, u.Role, u.Status, u.CreatedAt, u.LastLoginAt))
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Created<MemberResponse>> InviteMember(
        InviteMemberRequest request, AppDbContext db, AuthService auth, IEmailSender email, TimeProvider clock, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var user = new User
        {
            TenantId = db.Tenant.RequiredTenantId,
            Email = request.Email!.Trim(),
            NormalizedEmail = User.Normalize(request.Email),
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            Role = request.Role ?? UserRole.TenantUser,
            Status = UserStatus.Pending,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Users.Add(user);
        var token = auth.StageUserToken(user, UserTokenPurpose.Invitation, InvitationLifetime);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw DomainException.Conflict("An account with this email already exists.");
        }

        await email.SendAsync(user.Email, "You are invited to AiPlatform",
            $"Accept the invitation within {InvitationLifetime.TotalDays} days with this token: {token}", cancellationToken);
        return TypedResults.Created($"/api/v1/tenants/current/users/{user.Id}", MemberResponse.From(user));
    }

    public static async Task<Results<Ok<MemberResponse>, ApiError>> ChangeRole(
        Guid id, ChangeRoleRequest request, ClaimsPrincipal principal, AppDbContext db, UserAccessCache accessCache, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id, cancellationToken);
        if (user is null)
        {
            return ApiError.NotFound("User");
        }

        if (user.Id == principal.UserId())
        {
            return ApiError.FromDomain(DomainException.Validation("id", "You cannot change your own role."));
        }

        user.Role = request.Role!.Value;
        user.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        await accessCache.EvictUserAsync(user.Id);
        return TypedResults.Ok(MemberResponse.From(user));
    }

    public static async Task<Results<NoContent, ApiError>> RemoveMember(
        Guid id, ClaimsPrincipal principal, AppDbContext db, UserAccessCache accessCache, CancellationToken cancellationToken)
    {
        if (id == principal.UserId())
        {
            return ApiError.FromDomain(DomainException.Validation("id", "You cannot remove yourself."));
        }

        var deleted = await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync(cancellationToken);
        await accessCache.EvictUserAsync(id);
        return deleted == 0 ? ApiError.NotFound("User") : TypedResults.NoContent();
    }

    [GeneratedRegex("^#[0-9A-Fa-f]{6}$")]
    private static partial Regex HexColor();

    public static bool IsHexColor(string? value) => value is null || HexColor().IsMatch(value);
}

public sealed record TenantResponse(Guid Id, string Name, TenantStatus Status, TenantSettings Settings, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static TenantResponse From(Tenant tenant) =>
        new(tenant.Id, tenant.Name, tenant.Status, tenant.Settings, tenant.CreatedAt, tenant.UpdatedAt);
}

public sealed record MemberResponse(
    Guid Id, string Email, string FirstName, string LastName, UserRole Role, UserStatus Status, DateTime CreatedAt, DateTime? LastLoginAt)
{
    public static MemberResponse From(User user) =>
        new(user.Id, user.Email, user.FirstName, user.LastName, user.Role, user.Status, user.CreatedAt, user.LastLoginAt);
}

public sealed record MemberListQuery(int? Page, int? PageSize, string? Search, string? Role, string? Status)
    : PageQuery(Page, PageSize);

public sealed record UpdateTenantRequest(string? Name, TenantSettingsUpdate? Settings);

public sealed record TenantSettingsUpdate(string? Timezone, string? Language, BrandingUpdate? Branding, ToolSettingsUpdate? Tools);

/// <summary>A list given replaces the stored one; an empty list turns <c>http_get</c> off.</summary>
public sealed record ToolSettingsUpdate(IReadOnlyList<string>? HttpGetAllowedHosts);

public sealed record BrandingUpdate(string? PrimaryColor, string? SecondaryColor, string? LogoUrl);

public sealed record InviteMemberRequest(string? Email, string? FirstName, string? LastName, UserRole? Role);

public sealed record ChangeRoleRequest(UserRole? Role);

public sealed class MemberListQueryValidator : AbstractValidator<MemberListQuery>
{
    public MemberListQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Role).IsApiEnum<MemberListQuery, UserRole>("role");
        RuleFor(q => q.Status).IsApiEnum<MemberListQuery, UserStatus>("status");
    }
}

public sealed class UpdateTenantRequestValidator : AbstractValidator<UpdateTenantRequest>
{
    private const int MaxAllowedHosts = 100;

    private static bool IsHostPattern(string pattern)
    {
        var host = pattern.Trim();
        host = host.StartsWith("*.", StringComparison.Ordinal) ? host[2..] : host;
        return host.Contains('.') && Uri.CheckHostName(host) == UriHostNameType.Dns;
    }

    public UpdateTenantRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name cannot be empty.").MaximumLength(200)
            .WithMessage("Name must be at most 200 characters long.").When(r => r.Name is not null);
        When(r => r.Settings is not null, () =>
        {
            RuleFor(r => r.Settings!.Timezone).Must(t => t is null || LocaleRules.IsTimezone(t))
                .WithMessage(LocaleRules.TimezoneMessage).OverridePropertyName("settings.timezone");
            RuleFor(r => r.Settings!.Language).Must(l => l is null || LocaleRules.IsLanguage(l))
                .WithMessage(LocaleRules.LanguageMessage).OverridePropertyName("settings.language");
            RuleFor(r => r.Settings!.Branding!.PrimaryColor).Must(TenantsApi.IsHexColor).When(r => r.Settings!.Branding is not null)
                .WithMessage("Primary color must look like #1A2B3C.").OverridePropertyName("settings.branding.primaryColor");
            RuleFor(r => r.Settings!.Branding!.SecondaryColor).Must(TenantsApi.IsHexColor).When(r => r.Settings!.Branding is not null)
                .WithMessage("Secondary color must look like #1A2B3C.").OverridePropertyName("settings.branding.secondaryColor");
            RuleFor(r => r.Settings!.Branding!.LogoUrl)
                .Must(u => u is null || (Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
                .When(r => r.Settings!.Branding is not null)
                .WithMessage("Logo URL must be an absolute https URL.").OverridePropertyName("settings.branding.logoUrl");
            RuleFor(r => r.Settings!.Tools!.HttpGetAllowedHosts)
                .Must(hosts => hosts is null || (hosts.Count <= MaxAllowedHosts && hosts.All(IsHostPattern)))
                .When(r => r.Settings!.Tools is not null)
                .WithMessage($"Allowed hosts must be at most {MaxAllowedHosts} host names such as 'docs.example.com' or '*.example.com'.")
                .OverridePropertyName("settings.tools.httpGetAllowedHosts");
        });
    }
}

public sealed class InviteMemberRequestValidator : AbstractValidator<InviteMemberRequest>
{
    public InviteMemberRequestValidator()
    {
        RuleFor(r => r.Email).ValidEmail();
        RuleFor(r => r.FirstName).PersonName("First name");
        RuleFor(r => r.LastName).PersonName("Last name");
        RuleFor(r => r.Role).Must(r => r is null or UserRole.TenantAdmin or UserRole.TenantUser)
            .WithMessage("Role must be TENANT_ADMIN or TENANT_USER.");
    }
}

public sealed class ChangeRoleRequestValidator : AbstractValidator<ChangeRoleRequest>
{
    public ChangeRoleRequestValidator() =>
        RuleFor(r => r.Role).NotNull().Must(r => r is UserRole.TenantAdmin or UserRole.TenantUser)
            .WithMessage("Role must be TENANT_ADMIN or TENANT_USER.");
}
