using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using AiPlatform.Api.Identity;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace AiPlatform.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class AuthTests(ApiFactory factory)
{
    private static string NewEmail() => $"user-{Guid.NewGuid():N}@example.test";

    private static object Registration(string email, string password = TestTenant.Password) =>
        new { email, password, firstName = "Ada", lastName = "Lovelace", tenantName = "Analytical Engines" };

    [Fact]
    public async Task Register_creates_tenant_admin_and_returns_tokens()
    {
        var email = NewEmail();
        var response = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/register", Registration(email));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.ReadJsonAsync();
        var user = body.GetProperty("user");
        Assert.Equal(email, user.GetProperty("email").GetString());
        Assert.Equal("TENANT_ADMIN", user.GetProperty("role").GetString());
        Assert.NotEqual(Guid.Empty, user.GetProperty("tenantId").GetGuid());
        var tokens = body.GetProperty("tokens");
        Assert.Equal(900, tokens.GetProperty("expiresIn").GetInt32());
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refreshToken").GetString()));

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        var me = await (await client.GetAsync("/api/v1/users/me")).ReadJsonAsync();
        Assert.Equal(email, me.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Weak_password_is_422_listing_every_failing_rule()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/register", Registration(NewEmail(), "abc"));
        var error = await response.AssertErrorAsync(422, "VALIDATION_ERROR");
        var rules = error.GetProperty("details").GetProperty("password").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains(rules, r => r!.Contains("at least 8"));
        Assert.Contains(rules, r => r!.Contains("uppercase"));
        Assert.Contains(rules, r => r!.Contains("digit"));
        Assert.DoesNotContain(rules, r => r!.Contains("lowercase"));
    }

    [Fact]
    public async Task Duplicate_email_is_409_whatever_its_case()
    {
        var email = NewEmail();
        var client = factory.CreateClient();
        (await client.PostAsJsonAsync("/api/v1/auth/register", Registration(email))).EnsureSuccessStatusCode();
        var again = await client.PostAsJsonAsync("/api/v1/auth/register", Registration(email.ToUpperInvariant()));
        await again.AssertErrorAsync(409, "CONFLICT");
    }

    [Fact]
    public async Task Login_fails_the_same_way_for_unknown_email_and_wrong_password()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateClient();

        var wrongPassword = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = tenant.Email, password = "Wrong-Passw0rd" });
        var unknownEmail = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = NewEmail(), password = "Wrong-Passw0rd" });

        var first = await wrongPassword.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        var second = await unknownEmail.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        Assert.Equal(first.GetProperty("message").GetString(), second.GetProperty("message").GetString());

        var ok = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = tenant.Email.ToUpperInvariant(), password = TestTenant.Password });
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(tenant.UserId, (await ok.ReadJsonAsync()).GetProperty("user").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task Refresh_rotates_and_reuse_of_a_rotated_token_revokes_the_family()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateClient();
        var first = tenant.Auth.Tokens.RefreshToken;

        var rotated = await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first });
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.ReadJsonAsync()).GetProperty("tokens").GetProperty("refreshToken").GetString();
        Assert.NotEqual(first, second);

        // The first token is replayed: an attacker has it. Both it and its successor die.
        await (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = first })).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        await (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = second })).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_yield_one_winner()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateClient();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tenant.Auth.Tokens.RefreshToken })));
        Assert.Equal(1, attempts.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.All(attempts.Where(r => r.StatusCode != HttpStatusCode.OK), r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
    }

    [Fact]
    public async Task Unknown_refresh_token_is_401()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = "nope" });
        await response.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Logout_revokes_the_access_token_and_the_refresh_family()
    {
        var tenant = await factory.CreateTenantAsync();
        var logout = await tenant.Client.PostAsJsonAsync("/api/v1/auth/logout", new { refreshToken = tenant.Auth.Tokens.RefreshToken });
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        await (await tenant.Client.GetAsync("/api/v1/users/me")).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        var refresh = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tenant.Auth.Tokens.RefreshToken });
        await refresh.AssertErrorAsync(401, "AUTHENTICATION_FAILED");

        // A fresh sign-in still works.
        var again = await factory.SignInAsync(tenant.Email, TestTenant.Password);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Expired_access_token_is_401_token_expired()
    {
        var tenant = await factory.CreateTenantAsync();
        var key = factory.Services.GetRequiredService<IConfiguration>()["Jwt:SigningKey"]!;
        var expired = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "aiplatform",
            Audience = "aiplatform-api",
            IssuedAt = DateTime.UtcNow.AddHours(-2),
            NotBefore = DateTime.UtcNow.AddHours(-2),
            Expires = DateTime.UtcNow.AddHours(-1),
            Subject = new ClaimsIdentity([
                new Claim("sub", tenant.UserId.ToString()), new Claim("tid", tenant.TenantId.ToString()),
                new Claim("role", "TENANT_ADMIN"), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", expired);
        await (await client.GetAsync("/api/v1/users/me")).AssertErrorAsync(401, "TOKEN_EXPIRED");
    }

    [Fact]
    public async Task Forgot_password_is_202_for_anyone_and_reset_replaces_the_password_once()
    {
        var tenant = await factory.CreateTenantAsync();
        var client = factory.CreateClient();

        var unknown = await client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = NewEmail() });
        Assert.Equal(HttpStatusCode.Accepted, unknown.StatusCode);
        var known = await client.PostAsJsonAsync("/api/v1/auth/forgot-password", new { email = tenant.Email });
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);

        var token = factory.Emails.LastTokenSentTo(tenant.Email);
        const string newPassword = "Brand-New-Passw0rd";
        var reset = await client.PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword });
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);

        await (await client.PostAsJsonAsync("/api/v1/auth/login", new { email = tenant.Email, password = TestTenant.Password }))
            .AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        Assert.Equal(HttpStatusCode.OK,
            (await client.PostAsJsonAsync("/api/v1/auth/login", new { email = tenant.Email, password = newPassword })).StatusCode);

        // Single use, and old sessions are gone.
        await (await client.PostAsJsonAsync("/api/v1/auth/reset-password", new { token, newPassword = "Another-Passw0rd" }))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await client.PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tenant.Auth.Tokens.RefreshToken }))
            .AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Reset_with_weak_password_is_422()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/reset-password", new { token = "x", newPassword = "short" });
        var error = await response.AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.True(error.GetProperty("details").TryGetProperty("newPassword", out _));
    }

    [Fact]
    public async Task Profile_can_be_read_and_updated()
    {
        var tenant = await factory.CreateTenantAsync();
        var update = await tenant.Client.PutAsJsonAsync("/api/v1/users/me", new
        {
            firstName = "Grace",
            preferences = new { theme = "dark", language = "pt-BR", timezone = "Europe/Lisbon", notifications = new { email = false } },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);

        var me = await (await tenant.Client.GetAsync("/api/v1/users/me")).ReadJsonAsync();
        Assert.Equal("Grace", me.GetProperty("firstName").GetString());
        Assert.Equal("Owner", me.GetProperty("lastName").GetString());
        var preferences = me.GetProperty("preferences");
        Assert.Equal("dark", preferences.GetProperty("theme").GetString());
        Assert.Equal("pt-BR", preferences.GetProperty("language").GetString());
        Assert.Equal("Europe/Lisbon", preferences.GetProperty("timezone").GetString());
        Assert.False(preferences.GetProperty("notifications").GetProperty("email").GetBoolean());
        Assert.True(preferences.GetProperty("notifications").GetProperty("inApp").GetBoolean());
        Assert.EndsWith("Z", me.GetProperty("createdAt").GetString());
    }

    [Fact]
    public async Task Invalid_profile_update_is_422_naming_each_field()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.PutAsJsonAsync("/api/v1/users/me", new
        {
            firstName = "",
            preferences = new { theme = "neon", language = "not a language", timezone = "Mars/Olympus" },
        });
        var details = (await response.AssertErrorAsync(422, "VALIDATION_ERROR")).GetProperty("details");
        foreach (var field in new[] { "firstName", "preferences.theme", "preferences.language", "preferences.timezone" })
        {
            Assert.True(details.TryGetProperty(field, out _), $"details should name {field}: {details}");
        }
    }
}
