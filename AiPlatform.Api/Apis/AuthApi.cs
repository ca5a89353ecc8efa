using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiPlatform.Api.Apis;

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/auth").WithTags("Auth").WithAuthRateLimit();

        api.MapPost("/register", Register).AllowAnonymous();
        api.MapPost("/login", Login).AllowAnonymous();
        api.MapPost("/refresh", Refresh).AllowAnonymous();
        api.MapPost("/logout", Logout);
        api.MapPost("/forgot-password", ForgotPassword).AllowAnonymous();
        api.MapPost("/reset-password", ResetPassword).AllowAnonymous();
        api.MapPost("/accept-invitation", AcceptInvitation).AllowAnonymous();
        return api;
    }

    public static async Task<Created<AuthResponse>> Register(RegisterRequest request, AuthService auth, CancellationToken cancellationToken) =>
        TypedResults.Created("/api/v1/users/me", await auth.RegisterAsync(request, cancellationToken));

    public static async Task<Ok<AuthResponse>> Login(LoginRequest request, AuthService auth, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auth.LoginAsync(request, cancellationToken));

    public static async Task<Ok<AuthResponse>> Refresh(RefreshRequest request, AuthService auth, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auth.RefreshAsync(request, cancellationToken));

    public static async Task<NoContent> Logout(LogoutRequest? request, ClaimsPrincipal user, AuthService auth, CancellationToken cancellationToken)
    {
        await auth.LogoutAsync(user, request ?? new LogoutRequest(null), cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Accepted> ForgotPassword(ForgotPasswordRequest request, AuthService auth, CancellationToken cancellationToken)
    {
        await auth.ForgotPasswordAsync(request, cancellationToken);
        return TypedResults.Accepted((string?)null);
    }

    public static async Task<NoContent> ResetPassword(ResetPasswordRequest request, AuthService auth, CancellationToken cancellationToken)
    {
        await auth.ResetPasswordAsync(request, cancellationToken);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<AuthResponse>> AcceptInvitation(AcceptInvitationRequest request, AuthService auth, CancellationToken cancellationToken) =>
        TypedResults.Ok(await auth.AcceptInvitationAsync(request, cancellationToken));
}
