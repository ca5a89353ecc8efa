using System.Net.Http.Json;

namespace AiPlatform.IntegrationTests.Infrastructure;

public static class TestMembers
{
    /// <summary>Invites a TENANT_USER into <paramref name="tenant"/>, accepts the invitation and signs the member in.</summary>
    public static async Task<HttpClient> InviteAndSignInAsync(ApiFactory factory, TestTenant tenant)
    {
        var email = $"member-{Guid.NewGuid():N}@example.test";
        var invite = await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users",
            new { email, firstName = "Mel", lastName = "Member", role = "TENANT_USER" });
        invite.EnsureSuccessStatusCode();
        var token = factory.Emails.LastTokenSentTo(email);
        (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = TestTenant.Password }))
            .EnsureSuccessStatusCode();
        return await factory.SignInAsync(email, TestTenant.Password);
    }
}
