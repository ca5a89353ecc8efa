namespace AiPlatform.Web.Services;

/// <summary>The signed-in user's own account: their tenant, its credits, and signing out.</summary>
public sealed class AccountClient(HttpClient httpClient)
{
    public Task<Tenant> GetTenantAsync(CancellationToken cancellationToken = default) =>
        httpClient.GetAsync<Tenant>("api/v1/tenants/current", cancellationToken);

    public Task<CreditBalance> GetCreditBalanceAsync(CancellationToken cancellationToken = default) =>
        httpClient.GetAsync<CreditBalance>("api/v1/credits/balance", cancellationToken);

    /// <summary>Revokes the refresh token (and its whole rotation family) and deny-lists the access token.</summary>
    public Task LogoutAsync(string refreshToken, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync("api/v1/auth/logout", new LogoutRequest(refreshToken), cancellationToken);

    private sealed record LogoutRequest(string RefreshToken);
}

public sealed record Tenant(string Name);

public sealed record CreditBalance(decimal Balance, string Currency);
