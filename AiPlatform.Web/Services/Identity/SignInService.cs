namespace AiPlatform.Web.Services.Identity;

/// <summary>Signing in, up and out: the API calls, then the circuit's <see cref="UserSession"/>.</summary>
public sealed class SignInService(AuthClient authClient, AccountClient accountClient, UserSession session, ILogger<SignInService> logger)
{
    public async Task SignInAsync(string email, string password, CancellationToken cancellationToken = default) =>
        await StartAsync(await authClient.LoginAsync(email, password, cancellationToken), cancellationToken);

    public async Task SignUpAsync(RegisterRequest request, CancellationToken cancellationToken = default) =>
        await StartAsync(await authClient.RegisterAsync(request, cancellationToken), cancellationToken);

    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        if (session.RefreshToken is { } refreshToken)
        {
            try
            {
                await accountClient.LogoutAsync(refreshToken, cancellationToken);
            }
            catch (ApiException ex)
            {
                // Signing out here must not depend on the API answering; its tokens then simply expire.
                logger.LogWarning("Logout call failed ({Code}); ending the session anyway", ex.Error.Code);
            }
        }

        session.End();
    }

    private async Task StartAsync(AuthResult result, CancellationToken cancellationToken)
    {
        session.Start(result);
        try
        {
            // The sign-in answer names the tenant only by id; the user menu shows its name.
            session.SetTenantName((await accountClient.GetTenantAsync(cancellationToken)).Name);
        }
        catch (ApiException ex)
        {
            logger.LogWarning("Could not read the tenant after sign-in ({Code})", ex.Error.Code);
        }
    }
}
