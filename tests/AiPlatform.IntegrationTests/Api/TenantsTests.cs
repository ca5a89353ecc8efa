using System.Net;
using System.Net.Http.Json;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class TenantsTests(ApiFactory factory)
{
    private async Task<(TestTenant Tenant, Guid MemberId, string MemberEmail, HttpClient Member)> TenantWithMemberAsync()
    {
        var tenant = await factory.CreateTenantAsync();
        var email = $"member-{Guid.NewGuid():N}@example.test";
        var invite = await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users",
            new { email, firstName = "Mel", lastName = "Member", role = "TENANT_USER" });
        Assert.Equal(HttpStatusCode.Created, invite.StatusCode);
        var memberId = (await invite.ReadJsonAsync()).GetProperty("id").GetGuid();
        var token = factory.Emails.LastTokenSentTo(email);
        var accepted = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = TestTenant.Password });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        return (tenant, memberId, email, await factory.SignInAsync(email, TestTenant.Password));
    }

    [Fact]
    public async Task Current_tenant_can_be_read_and_updated_by_its_admin()
    {
        var tenant = await factory.CreateTenantAsync("Acme");
        var current = await (await tenant.Client.GetAsync("/api/v1/tenants/current")).ReadJsonAsync();
        Assert.Equal("Acme", current.GetProperty("name").GetString());
        Assert.Equal("ACTIVE", current.GetProperty("status").GetString());

        var update = await tenant.Client.PutAsJsonAsync("/api/v1/tenants/current", new
        {
            name = "Acme Corp",
            settings = new { timezone = "America/New_York", branding = new { primaryColor = "#112233", logoUrl = "https://acme.example/logo.png" } },
        });
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = await (await tenant.Client.GetAsync("/api/v1/tenants/current")).ReadJsonAsync();
        Assert.Equal("Acme Corp", updated.GetProperty("name").GetString());
        var settings = updated.GetProperty("settings");
        Assert.Equal("America/New_York", settings.GetProperty("timezone").GetString());
        Assert.Equal("en", settings.GetProperty("language").GetString());
        Assert.Equal("#112233", settings.GetProperty("branding").GetProperty("primaryColor").GetString());

        // The tools allow-list is kept by updates that do not mention it, and replaced by those that do.
        await tenant.Client.PutAsJsonAsync("/api/v1/tenants/current", new { settings = new { tools = new { httpGetAllowedHosts = new[] { "Docs.Example.com", "*.example.org" } } } });
        await tenant.Client.PutAsJsonAsync("/api/v1/tenants/current", new { settings = new { language = "fr" } });
        var tools = (await (await tenant.Client.GetAsync("/api/v1/tenants/current")).ReadJsonAsync()).GetProperty("settings").GetProperty("tools");
        Assert.Equal(["docs.example.com", "*.example.org"], tools.GetProperty("httpGetAllowedHosts").EnumerateArray().Select(h => h.GetString()));
        var invalid = await tenant.Client.PutAsJsonAsync("/api/v1/tenants/current", new { settings = new { tools = new { httpGetAllowedHosts = new[] { "not a host", "10.0.0.1" } } } });
        await invalid.AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Invalid_tenant_settings_are_422()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.PutAsJsonAsync("/api/v1/tenants/current", new
        {
            name = "",
            settings = new { timezone = "Nowhere/Land", branding = new { primaryColor = "red", logoUrl = "http://insecure.example/logo.png" } },
        });
        var details = (await response.AssertErrorAsync(422, "VALIDATION_ERROR")).GetProperty("details");
        foreach (var field in new[] { "name", "settings.timezone", "settings.branding.primaryColor", "settings.branding.logoUrl" })
        {
            Assert.True(details.TryGetProperty(field, out _), $"details should name {field}: {details}");
        }
    }

    [Fact]
    public async Task Invited_member_accepts_signs_in_and_is_listed()
    {
        var (tenant, memberId, memberEmail, member) = await TenantWithMemberAsync();

        var me = await (await member.GetAsync("/api/v1/users/me")).ReadJsonAsync();
        Assert.Equal(tenant.TenantId, me.GetProperty("tenantId").GetGuid());
        Assert.Equal("TENANT_USER", me.GetProperty("role").GetString());

        var list = await (await tenant.Client.GetAsync("/api/v1/tenants/current/users?pageSize=1&page=2")).ReadJsonAsync();
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal(2, list.GetProperty("totalPages").GetInt32());
        Assert.Equal(2, list.GetProperty("page").GetInt32());
        Assert.Equal(1, list.GetProperty("pageSize").GetInt32());
        var item = list.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(memberId, item.GetProperty("id").GetGuid());
        Assert.Equal("ACTIVE", item.GetProperty("status").GetString());

        var search = await (await tenant.Client.GetAsync($"/api/v1/tenants/current/users?search={memberEmail[..12]}")).ReadJsonAsync();
        Assert.Equal(1, search.GetProperty("total").GetInt32());
        var users = await (await tenant.Client.GetAsync("/api/v1/tenants/current/users?role=tenant_user&status=ACTIVE")).ReadJsonAsync();
        Assert.Equal(memberId, users.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());
        await (await tenant.Client.GetAsync("/api/v1/tenants/current/users?role=KING")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Pending_member_cannot_sign_in_and_invitation_is_single_use()
    {
        var tenant = await factory.CreateTenantAsync();
        var email = $"pending-{Guid.NewGuid():N}@example.test";
        await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users", new { email, firstName = "P", lastName = "Q" });
        await (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email, password = TestTenant.Password }))
            .AssertErrorAsync(401, "AUTHENTICATION_FAILED");

        var token = factory.Emails.LastTokenSentTo(email);
        Assert.Equal(HttpStatusCode.OK,
            (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = TestTenant.Password })).StatusCode);
        await (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/accept-invitation", new { token, password = TestTenant.Password }))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Inviting_an_existing_email_is_409_and_bad_invites_are_422()
    {
        var tenant = await factory.CreateTenantAsync();
        await (await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users", new { email = tenant.Email, firstName = "A", lastName = "B" }))
            .AssertErrorAsync(409, "CONFLICT");
        var bad = await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users", new { email = "nope", role = "PLATFORM_ADMIN" });
        var details = (await bad.AssertErrorAsync(422, "VALIDATION_ERROR")).GetProperty("details");
        Assert.True(details.TryGetProperty("email", out _));
        Assert.True(details.TryGetProperty("role", out _));
        Assert.True(details.TryGetProperty("firstName", out _));
        await (await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users", new { email = "a@b.c", firstName = "A", lastName = "B", role = "KING" }))
            .AssertErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Role_changes_take_effect_on_the_next_request()
    {
        var (tenant, memberId, _, member) = await TenantWithMemberAsync();
        await (await member.GetAsync("/api/v1/tenants/current/users")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");

        var promote = await tenant.Client.PutAsJsonAsync($"/api/v1/tenants/current/users/{memberId}/role", new { role = "TENANT_ADMIN" });
        Assert.Equal("TENANT_ADMIN", (await promote.ReadJsonAsync()).GetProperty("role").GetString());
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/v1/tenants/current/users")).StatusCode);

        await (await tenant.Client.PutAsJsonAsync($"/api/v1/tenants/current/users/{tenant.UserId}/role", new { role = "TENANT_USER" }))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.PutAsJsonAsync($"/api/v1/tenants/current/users/{memberId}/role", new { role = "PLATFORM_ADMIN" }))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Removed_member_loses_access_at_once()
    {
        var (tenant, memberId, _, member) = await TenantWithMemberAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/tenants/current/users/{memberId}")).StatusCode);
        await (await member.GetAsync("/api/v1/users/me")).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        await (await tenant.Client.DeleteAsync($"/api/v1/tenants/current/users/{memberId}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.DeleteAsync($"/api/v1/tenants/current/users/{tenant.UserId}")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Tenant_user_cannot_administer_the_tenant()
    {
        var (_, memberId, _, member) = await TenantWithMemberAsync();
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync("/api/v1/tenants/current")).StatusCode);
        await (await member.PutAsJsonAsync("/api/v1/tenants/current", new { name = "Mine now" })).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.PostAsJsonAsync("/api/v1/tenants/current/users", new { email = "x@y.z", firstName = "X", lastName = "Y" }))
            .AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.PutAsJsonAsync($"/api/v1/tenants/current/users/{memberId}/role", new { role = "TENANT_ADMIN" }))
            .AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.DeleteAsync($"/api/v1/tenants/current/users/{memberId}")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.GetAsync("/api/v1/admin/tenants")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
    }

    [Fact]
    public async Task Another_tenants_users_are_404_never_403_or_data()
    {
        var (tenantA, memberOfA, _, _) = await TenantWithMemberAsync();
        var tenantB = await factory.CreateTenantAsync();

        await (await tenantB.Client.PutAsJsonAsync($"/api/v1/tenants/current/users/{memberOfA}/role", new { role = "TENANT_ADMIN" }))
            .AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenantB.Client.DeleteAsync($"/api/v1/tenants/current/users/{memberOfA}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");

        var listB = await (await tenantB.Client.GetAsync("/api/v1/tenants/current/users")).ReadJsonAsync();
        Assert.Equal(1, listB.GetProperty("total").GetInt32());
        Assert.Equal(tenantB.UserId, listB.GetProperty("items")[0].GetProperty("id").GetGuid());
        var currentB = await (await tenantB.Client.GetAsync("/api/v1/tenants/current")).ReadJsonAsync();
        Assert.Equal(tenantB.TenantId, currentB.GetProperty("id").GetGuid());

        // A's member is untouched.
        var listA = await (await tenantA.Client.GetAsync("/api/v1/tenants/current/users")).ReadJsonAsync();
        Assert.Equal(2, listA.GetProperty("total").GetInt32());
    }
}
