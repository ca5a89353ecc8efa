namespace AiPlatform.Web.Services.Identity;

/// <summary>
/// The signed-in user of one Blazor circuit and their API tokens. Scoped, so it lives exactly as long as the circuit,
/// on the server: the browser never holds a token. Not localStorage, where any script that gets onto the page can read
/// it; not a cookie, which would need a server-side session and CSRF protection for little gain in an app whose every
/// interaction already runs over the circuit. The cost is that a full page reload (a new circuit) starts signed out.
/// </summary>
public sealed class UserSession(AuthClient authClient, ILogger<UserSession> logger)
{
    // Refresh tokens rotate, and the API revokes the whole family when a spent one is presented again, so the
    // requests that all hit 401 when the access token expires must share one refresh, never race each other.
    private readonly SemaphoreSlim _refreshGate = new(1, 1);

    // One immutable snapshot, swapped whole: tokens and user always belong together.
    private volatile Snapshot? _current;

    /// <summary>Raised when someone signs in or out, or the user's details change.</summary>
    public event Action? Changed;

    public SignedInUser? User => _current?.User;

    public string? AccessToken => _current?.Tokens.AccessToken;

    public string? RefreshToken => _current?.Tokens.RefreshToken;

    public void Start(AuthResult result)
    {
        _current = new(SignedInUser.From(result.User, tenantName: null), result.Tokens);
        Changed?.Invoke();
    }

    public void SetTenantName(string tenantName)
    {
        if (_current is { } current)
        {
            _current = current with { User = current.User with { TenantName = tenantName } };
            Changed?.Invoke();
        }
    }

    public void End()
    {
        _current = null;
        Changed?.Invoke();
    }

    /// <summary>
    /// Called when the API answered 401 to <paramref name="rejectedAccessToken"/>. Returns the access token to retry
    /// with, or null when the session is over (the API refused the refresh token, so the user is signed out).
    /// </summary>
    public async Task<string?> RefreshAsync(string rejectedAccessToken, CancellationToken cancellationToken)
    {
        await _refreshGate.WaitAsync(cancellationToken);
        try
        {
            if (_current is not { } current || current.Tokens.AccessToken != rejectedAccessToken)
            {
                // Signed out meanwhile (null), or another request already refreshed: use what it got.
                return _current?.Tokens.AccessToken;
            }

            AuthResult result;
            try
            {
                result = await authClient.RefreshAsync(current.Tokens.RefreshToken, cancellationToken);
            }
            catch (ApiException ex) when (ex.StatusCode is >= 400 and < 500)
            {
                logger.LogInformation("The API refused to refresh the session ({Code}); signing out", ex.Error.Code);
                End();
                return null;
            }

            var user = SignedInUser.From(result.User, current.User.TenantName);
            _current = new(user, result.Tokens);
            if (user != current.User)
            {
                // A role changed since sign-in: pages must show what the new one allows.
                Changed?.Invoke();
            }

            return result.Tokens.AccessToken;
        }
        finally
        {
            _refreshGate.Release();
        }
    }

    private sealed record Snapshot(SignedInUser User, AuthTokens Tokens);
}

/// <param name="TenantName">Null until the tenant has been read after sign-in (or if it could not be).</param>
public sealed record SignedInUser(
    Guid Id, string Email, string FirstName, string LastName, string Role, string? TenantName)
{
    public static SignedInUser From(AuthUser user, string? tenantName) =>
        new(user.Id, user.Email, user.FirstName, user.LastName, user.Role, tenantName);
}
