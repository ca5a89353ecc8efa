using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;

namespace AiPlatform.Web.Services.Identity;

/// <summary>
/// Blazor's view of the circuit's <see cref="UserSession"/>, so pages use the standard pieces
/// (<c>AuthorizeView</c>, the cascading <c>Task&lt;AuthenticationState&gt;</c>) and re-render when it changes.
/// </summary>
public sealed class SessionAuthenticationStateProvider : AuthenticationStateProvider, IDisposable
{
    public const string TenantNameClaim = "tenant_name";

    private readonly UserSession _session;

    public SessionAuthenticationStateProvider(UserSession session)
    {
        _session = session;
        _session.Changed += OnSessionChanged;
    }

    public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
        Task.FromResult(new AuthenticationState(ToPrincipal(_session.User)));

    public void Dispose() => _session.Changed -= OnSessionChanged;

    private void OnSessionChanged() => NotifyAuthenticationStateChanged(GetAuthenticationStateAsync());

    private static ClaimsPrincipal ToPrincipal(SignedInUser? user)
    {
        if (user is null)
        {
            return new ClaimsPrincipal(new ClaimsIdentity());
        }

        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, user.Id.ToString()),
            new(ClaimTypes.Name, $"{user.FirstName} {user.LastName}".Trim()),
            new(ClaimTypes.Email, user.Email),
            new(ClaimTypes.Role, user.Role),
        ];
        if (user.TenantName is { } tenantName)
        {
            claims.Add(new(TenantNameClaim, tenantName));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType: "AiPlatformApi"));
    }
}
