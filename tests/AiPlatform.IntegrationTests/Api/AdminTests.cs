using System.Net;
using System.Net.Http.Json;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Api;

[Collection(ApiCollection.Name)]
public sealed class AdminTests(ApiFactory factory)
{
    private Task<HttpClient> AdminAsync() => factory.SignInAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);

    [Fact]
    public async Task Seeded_platform_admin_signs_in_with_its_role()
    {
        var admin = await AdminAsync();
        var me = await (await admin.GetAsync("/api/v1/users/me")).ReadJsonAsync();
        Assert.Equal("PLATFORM_ADMIN", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task Admin_lists_searches_and_filters_tenants()
    {
        var marker = Guid.NewGuid().ToString("N")[..10];
        var first = await factory.CreateTenantAsync($"Search {marker} one");
        await factory.CreateTenantAsync($"Search {marker} two");
        var admin = await AdminAsync();

        var found = await (await admin.GetAsync($"/api/v1/admin/tenants?search={marker}&pageSize=1")).ReadJsonAsync();
        Assert.Equal(2, found.GetProperty("total").GetInt32());
        Assert.Equal(2, found.GetProperty("totalPages").GetInt32());
        Assert.Single(found.GetProperty("items").EnumerateArray());

        await admin.PostAsync($"/api/v1/admin/tenants/{first.TenantId}/suspend", null);
        var suspended = await (await admin.GetAsync($"/api/v1/admin/tenants?search={marker}&status=SUSPENDED")).ReadJsonAsync();
        Assert.Equal(first.TenantId, suspended.GetProperty("items").EnumerateArray().Single().GetProperty("id").GetGuid());

        var detailResponse = await admin.GetAsync($"/api/v1/admin/tenants/{first.TenantId}");
        Assert.True(detailResponse.IsSuccessStatusCode, await detailResponse.Content.ReadAsStringAsync());
        var detail = await detailResponse.ReadJsonAsync();
        Assert.Equal(1, detail.GetProperty("userCount").GetInt32());
        Assert.Equal("SUSPENDED", detail.GetProperty("status").GetString());

        await (await admin.GetAsync("/api/v1/admin/tenants?status=ASLEEP")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await admin.GetAsync("/api/v1/admin/tenants?pageSize=500")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Suspended_tenant_gets_403_on_every_call_until_activated()
    {
        var tenant = await factory.CreateTenantAsync();
        var admin = await AdminAsync();

        var suspend = await admin.PostAsync($"/api/v1/admin/tenants/{tenant.TenantId}/suspend", null);
        Assert.Equal("SUSPENDED", (await suspend.ReadJsonAsync()).GetProperty("status").GetString());

        await (await tenant.Client.GetAsync("/api/v1/users/me")).AssertErrorAsync(403, "TENANT_SUSPENDED");
        await (await tenant.Client.GetAsync("/api/v1/tenants/current")).AssertErrorAsync(403, "TENANT_SUSPENDED");
        await (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { email = tenant.Email, password = TestTenant.Password }))
            .AssertErrorAsync(403, "TENANT_SUSPENDED");
        await (await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = tenant.Auth.Tokens.RefreshToken }))
            .AssertErrorAsync(403, "TENANT_SUSPENDED");

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/v1/admin/tenants/{tenant.TenantId}/activate", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetAsync("/api/v1/users/me")).StatusCode);
    }

    [Fact]
    public async Task Unknown_tenant_is_404_and_own_tenant_cannot_be_suspended()
    {
        var admin = await AdminAsync();
        await (await admin.GetAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await admin.PostAsync($"/api/v1/admin/tenants/{Guid.NewGuid()}/suspend", null)).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await admin.GetAsync("/api/v1/admin/tenants/not-a-guid")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");

        var me = await (await admin.GetAsync("/api/v1/users/me")).ReadJsonAsync();
        var ownTenant = me.GetProperty("tenantId").GetGuid();
        await (await admin.PostAsync($"/api/v1/admin/tenants/{ownTenant}/suspend", null)).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Tenant_admin_is_forbidden_from_platform_administration()
    {
        var tenant = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        await (await tenant.Client.GetAsync("/api/v1/admin/tenants")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await tenant.Client.GetAsync($"/api/v1/admin/tenants/{other.TenantId}")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await tenant.Client.PostAsync($"/api/v1/admin/tenants/{other.TenantId}/suspend", null)).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
    }
}
