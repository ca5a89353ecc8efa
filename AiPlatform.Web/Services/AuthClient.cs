namespace AiPlatform.Web.Services;

/// <summary>
/// The API's anonymous identity endpoints. Deliberately without the bearer handler: a wrong password must come back
/// as the 401 it is, and refreshing is what that handler itself calls this for.
/// </summary>
public sealed class AuthClient(HttpClient httpClient)
{
    public Task<AuthResult> LoginAsync(string email, string password, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync<AuthResult>("api/v1/auth/login", new LoginRequest(email, password), cancellationToken);

    public Task<AuthResult> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync<AuthResult>("api/v1/auth/register", request, cancellationToken);

    /// <summary>Trades a refresh token for a new pair; the old refresh token is spent (they rotate).</summary>
    public Task<AuthResult> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync<AuthResult>("api/v1/auth/refresh", new RefreshRequest(refreshToken), cancellationToken);

    private sealed record LoginRequest(string Email, string Password);

    private sealed record RefreshRequest(string RefreshToken);
}

public sealed record RegisterRequest(string Email, string Password, string FirstName, string LastName, string TenantName);

public sealed record AuthResult(AuthUser User, AuthTokens Tokens);

public sealed record AuthUser(Guid Id, string Email, string FirstName, string LastName, string Role);

/// <summary>The API also says when the access token expires; the console needs no clock: a 401 is its cue to refresh.</summary>
public sealed record AuthTokens(string AccessToken, string RefreshToken);

/// <summary>The API's role names (UPPER_SNAKE, as in its JSON).</summary>
public static class Roles
{
    public const string PlatformAdmin = "PLATFORM_ADMIN";
    public const string TenantAdmin = "TENANT_ADMIN";
    public const string TenantUser = "TENANT_USER";
}
