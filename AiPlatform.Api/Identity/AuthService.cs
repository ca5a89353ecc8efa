using System.Security.Claims;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Identity;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AiPlatform.Api.Identity;

/// <summary>Registration, sign-in, token rotation and password recovery.</summary>
public sealed class AuthService(
    AppDbContext db,
    IPasswordHasher<User> passwordHasher,
    TokenService tokens,
    RevokedAccessTokens revokedTokens,
    IEmailSender email,
    IOptions<JwtOptions> jwtOptions,
    TimeProvider clock,
    ILogger<AuthService> logger,
    Core.Credits.CreditLedger credits)
{

    private static readonly DomainException InvalidCredentials =
        new(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed, "Email or password is incorrect.");

    private static readonly DomainException InvalidRefreshToken =
        new(StatusCodes.Status401Unauthorized, ErrorCodes.AuthenticationFailed, "The refresh token is invalid, expired or revoked.");

    private static readonly TimeSpan PasswordResetLifetime = TimeSpan.FromHours(1);

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<AuthResponse> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var now = Now;
        var tenant = new Tenant { Name = request.TenantName!.Trim(), CreatedAt = now, UpdatedAt = now };
        var user = new User
        {
            TenantId = tenant.Id,
            Email = request.Email!.Trim(),
            NormalizedEmail = User.Normalize(request.Email),
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            Role = UserRole.TenantAdmin,
            Status = UserStatus.Active,
            CreatedAt = now,
            UpdatedAt = now,
            LastLoginAt = now,
        };
        user.PasswordHash = passwordHasher.HashPassword(user, request.Password!);

        // The new tenant's own scope is enough to write its rows; no isolation is lifted.
        db.Tenant.SetTenant(tenant.Id, user.Id);
        db.Tenants.Add(tenant);
        db.Users.Add(user);
        db.AddIntegrationEvent(new TenantCreatedIntegrationEvent(tenant.Id, tenant.Name));
        // The signup credits (account + ledger row) commit with the tenant or not at all.
        credits.StageSignupGrant(tenant.Id, user.Id);
        var pair = StageRefreshToken(user, familyId: Guid.CreateVersion7());
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw DomainException.Conflict("An account with this email already exists.");
        }

        return new AuthResponse(UserSummary.From(user), pair);
    }

    public async Task<AuthResponse> LoginAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        var normalizedEmail = User.Normalize(request.Email!);
        using var system = db.Tenant.BeginSystemScope();
        var user = await db.Users.SingleOrDefaultAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken);
        if (user is not { Status: UserStatus.Active, PasswordHash: not null })
        {
            // Hash anyway so an unknown email costs as long as a wrong password.
            passwordHasher.HashPassword(new User { Email = "", NormalizedEmail = "", FirstName = "", LastName = "" }, request.Password!);
            throw InvalidCredentials;
        }

        var verification = passwordHasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!);
        if (verification == PasswordVerificationResult.Failed)
        {
            throw InvalidCredentials;
        }

        await EnsureTenantActiveAsync(user.TenantId, cancellationToken);
        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = passwordHasher.HashPassword(user, request.Password!);
        }

        user.LastLoginAt = Now;
        var pair = StageRefreshToken(user, familyId: Guid.CreateVersion7());
        await db.SaveChangesAsync(cancellationToken);
        return new AuthResponse(UserSummary.From(user), pair);
    }

    public async Task<AuthResponse> RefreshAsync(RefreshRequest request, CancellationToken cancellationToken)
    {
        var hash = TokenService.Hash(request.RefreshToken!);
        using var system = db.Tenant.BeginSystemScope();
        // Null means refused; the transaction still commits, so a detected reuse stays revoked.
        var response = await db.InTransactionAsync<AuthResponse?>(async ct =>
        {
            var presented = await db.RefreshTokens.AsNoTracking().SingleOrDefaultAsync(t => t.TokenHash == hash, ct);
            if (presented is null)
            {
                return null;
            }

            // Claim the token atomically: of two concurrent refreshes only one rotates it.
            var now = Now;
            var claimed = await db.RefreshTokens
                .Where(t => t.Id == presented.Id && t.RotatedAt == null && t.RevokedAt == null && t.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RotatedAt, now), ct);
            if (claimed == 0)
            {
                if (presented.RotatedAt is not null)
                {
                    logger.LogWarning("Refresh token reuse detected for user {UserId}; revoking family {FamilyId}", presented.UserId, presented.FamilyId);
                    await RevokeFamilyAsync(presented.FamilyId, ct);
                }

                return null;
            }

            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == presented.UserId && u.Status == UserStatus.Active, ct);
            if (user is null)
            {
                return null;
            }

            await EnsureTenantActiveAsync(user.TenantId, ct);
            var pair = StageRefreshToken(user, presented.FamilyId);
            await db.SaveChangesAsync(ct);
            return new AuthResponse(UserSummary.From(user), pair);
        }, cancellationToken);
        return response ?? throw InvalidRefreshToken;
    }

    public async Task LogoutAsync(ClaimsPrincipal principal, LogoutRequest request, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            // No token named: sign the user out everywhere.
            await db.RefreshTokens.Where(t => t.UserId == userId && t.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, Now), cancellationToken);
        }
        else
        {
            var hash = TokenService.Hash(request.RefreshToken);
            var familyId = await db.RefreshTokens.Where(t => t.TokenHash == hash && t.UserId == userId)
                .Select(t => (Guid?)t.FamilyId).SingleOrDefaultAsync(cancellationToken);
            if (familyId is { } family)
            {
                await RevokeFamilyAsync(family, cancellationToken);
            }
        }

        await DenyAccessTokenAsync(principal);
    }

    public async Task ForgotPasswordAsync(ForgotPasswordRequest request, CancellationToken cancellationToken)
    {
        var normalizedEmail = User.Normalize(request.Email!);
        using var system = db.Tenant.BeginSystemScope();
        var user = await db.Users.SingleOrDefaultAsync(
            u => u.NormalizedEmail == normalizedEmail && u.Status == UserStatus.Active, cancellationToken);
        if (user is null)
        {
            // Same answer whether or not the account exists.
            return;
        }

        var token = StageUserToken(user, UserTokenPurpose.PasswordReset, PasswordResetLifetime);
        await db.SaveChangesAsync(cancellationToken);
        await email.SendAsync(user.Email, "Reset your AiPlatform password",
            $"Use this token to set a new password within {PasswordResetLifetime.TotalMinutes} minutes: {token}", cancellationToken);
    }

    public async Task ResetPasswordAsync(ResetPasswordRequest request, CancellationToken cancellationToken)
    {
        using var system = db.Tenant.BeginSystemScope();
        var user = await RedeemUserTokenAsync(request.Token!, UserTokenPurpose.PasswordReset, cancellationToken);
        user.PasswordHash = passwordHasher.HashPassword(user, request.NewPassword!);
        user.UpdatedAt = Now;
        await db.SaveChangesAsync(cancellationToken);
        // A reset password ends every session that used the old one.
        await db.RefreshTokens.Where(t => t.UserId == user.Id && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, Now), cancellationToken);
    }

    public async Task<AuthResponse> AcceptInvitationAsync(AcceptInvitationRequest request, CancellationToken cancellationToken)
    {
        using var system = db.Tenant.BeginSystemScope();
        var user = await RedeemUserTokenAsync(request.Token!, UserTokenPurpose.Invitation, cancellationToken);
        await EnsureTenantActiveAsync(user.TenantId, cancellationToken);
        user.PasswordHash = passwordHasher.HashPassword(user, request.Password!);
        user.Status = UserStatus.Active;
        user.UpdatedAt = Now;
        user.LastLoginAt = Now;
        var pair = StageRefreshToken(user, familyId: Guid.CreateVersion7());
        await db.SaveChangesAsync(cancellationToken);
        return new AuthResponse(UserSummary.From(user), pair);
    }

    /// <summary>Creates a single-use token for <paramref name="user"/>, staged on the context; returns the plain token to mail.</summary>
    public string StageUserToken(User user, UserTokenPurpose purpose, TimeSpan lifetime)
    {
        var token = TokenService.CreateOpaqueToken();
        db.UserTokens.Add(new UserToken
        {
            TenantId = user.TenantId,
            UserId = user.Id,
            Purpose = purpose,
            TokenHash = TokenService.Hash(token),
            CreatedAt = Now,
            ExpiresAt = Now + lifetime,
        });
        return token;
    }

    private async Task<User> RedeemUserTokenAsync(string token, UserTokenPurpose purpose, CancellationToken cancellationToken)
    {
        var hash = TokenService.Hash(token);
        var now = Now;
        var userToken = await db.UserTokens.SingleOrDefaultAsync(
            t => t.TokenHash == hash && t.Purpose == purpose && t.UsedAt == null && t.ExpiresAt > now, cancellationToken)
            ?? throw DomainException.Validation("token", "The token is invalid, expired or already used.");
        userToken.UsedAt = now;
        return await db.Users.SingleAsync(u => u.Id == userToken.UserId, cancellationToken);
    }

    private TokenPair StageRefreshToken(User user, Guid familyId)
    {
        var refreshToken = TokenService.CreateOpaqueToken();
        var jwt = jwtOptions.Value;
        db.RefreshTokens.Add(new RefreshToken
        {
            TenantId = user.TenantId,
            UserId = user.Id,
            FamilyId = familyId,
            TokenHash = TokenService.Hash(refreshToken),
            CreatedAt = Now,
            ExpiresAt = Now + jwt.RefreshTokenLifetime,
        });
        return new TokenPair(tokens.CreateAccessToken(user), refreshToken, (int)jwt.AccessTokenLifetime.TotalSeconds);
    }

    private Task<int> RevokeFamilyAsync(Guid familyId, CancellationToken cancellationToken) =>
        db.RefreshTokens.Where(t => t.FamilyId == familyId && t.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, Now), cancellationToken);

    private async Task EnsureTenantActiveAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var status = await db.Tenants.IgnoreQueryFilters().Where(t => t.Id == tenantId)
            .Select(t => t.Status).SingleAsync(cancellationToken);
        if (status == TenantStatus.Suspended)
        {
            throw TenantSuspended;
        }
    }

    public static readonly DomainException TenantSuspended =
        new(StatusCodes.Status403Forbidden, ErrorCodes.TenantSuspended, "This tenant is suspended. Contact the platform administrator.");

    /// <summary>Puts the access token on the deny-list until it would have expired anyway.</summary>
    private async Task DenyAccessTokenAsync(ClaimsPrincipal principal)
    {
        var tokenId = principal.FindFirstValue(PlatformClaims.TokenId);
        var expiresAt = long.TryParse(principal.FindFirstValue("exp"), out var exp)
            ? DateTimeOffset.FromUnixTimeSeconds(exp)
            : clock.GetUtcNow() + jwtOptions.Value.AccessTokenLifetime;
        if (tokenId is not null && expiresAt > clock.GetUtcNow())
        {
            await revokedTokens.RevokeAsync(tokenId, expiresAt);
        }
    }
}
