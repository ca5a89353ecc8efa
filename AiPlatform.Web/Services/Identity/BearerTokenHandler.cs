using System.Net;
using System.Net.Http.Headers;

namespace AiPlatform.Web.Services.Identity;

/// <summary>
/// Puts the circuit's access token on every API call. Access tokens last 15 minutes, so a 401 means "refresh": the
/// handler refreshes once (shared with any concurrent 401s, see <see cref="UserSession.RefreshAsync"/>) and retries
/// with the new token; pages never see an expired token. A second 401, or a refused refresh, is passed on.
/// </summary>
public sealed class BearerTokenHandler(CircuitServicesAccessor circuit) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // No circuit (prerendering) or nobody signed in: send as is and let the API answer 401.
        var session = circuit.Services?.GetService<UserSession>();
        if (session?.AccessToken is not { } accessToken)
        {
            return await base.SendAsync(request, cancellationToken);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized
            || await session.RefreshAsync(accessToken, cancellationToken) is not { } refreshedToken)
        {
            return response;
        }

        // Safe to resend: a 401 is decided before the API does anything, and the JSON content serializes again.
        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshedToken);
        return await base.SendAsync(request, cancellationToken);
    }
}
