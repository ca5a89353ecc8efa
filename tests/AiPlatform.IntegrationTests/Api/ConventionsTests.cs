using System.Net;
using System.Net.Http.Json;
using System.Text;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Api;

/// <summary>Every failure, whatever produced it, is a 4xx (or a bare 500) in the error envelope.</summary>
[Collection(ApiCollection.Name)]
public sealed class ConventionsTests(ApiFactory factory)
{
    [Fact]
    public async Task Unknown_route_is_404_envelope()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.GetAsync("/api/v1/does-not-exist");
        await response.AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Wrong_method_is_405_envelope()
    {
        var response = await factory.CreateClient().DeleteAsync("/api/v1/auth/login");
        await response.AssertErrorAsync(405, "METHOD_NOT_ALLOWED");
    }

    [Fact]
    public async Task Missing_token_is_401_envelope()
    {
        var response = await factory.CreateClient().GetAsync("/api/v1/users/me");
        await response.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Garbage_token_is_401_envelope()
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-jwt");
        var response = await client.GetAsync("/api/v1/users/me");
        await response.AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Malformed_json_is_400_envelope()
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/login",
            new StringContent("{\"email\": \"a@b.c\", ", Encoding.UTF8, "application/json"));
        await response.AssertErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Wrong_json_type_is_400_envelope_naming_the_field()
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/login",
            new StringContent("{\"email\": 42, \"password\": \"x\"}", Encoding.UTF8, "application/json"));
        var error = await response.AssertErrorAsync(400, "VALIDATION_ERROR");
        Assert.Contains("$.email", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Missing_fields_are_422_listing_every_field()
    {
        var response = await factory.CreateClient().PostAsJsonAsync("/api/v1/auth/register", new { });
        var error = await response.AssertErrorAsync(422, "VALIDATION_ERROR");
        var details = error.GetProperty("details");
        foreach (var field in new[] { "email", "password", "firstName", "lastName", "tenantName" })
        {
            Assert.True(details.TryGetProperty(field, out _), $"details should name {field}");
        }
    }

    [Fact]
    public async Task Empty_body_is_400_envelope()
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/login",
            new StringContent("", Encoding.UTF8, "application/json"));
        await response.AssertErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Wrong_content_type_is_415_envelope()
    {
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/login",
            new StringContent("email=a@b.c", Encoding.UTF8, "application/x-www-form-urlencoded"));
        await response.AssertErrorAsync(415, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task Huge_body_is_413_envelope()
    {
        var huge = new string('x', 2 * 1024 * 1024);
        var response = await factory.CreateClient().PostAsync("/api/v1/auth/login",
            new StringContent($"{{\"email\":\"{huge}\"}}", Encoding.UTF8, "application/json"));
        await response.AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task Request_id_is_echoed_when_safe_and_generated_otherwise()
    {
        var client = factory.CreateClient();
        var echoed = new HttpRequestMessage(HttpMethod.Get, "/api/v1/nope");
        echoed.Headers.Add("X-Request-Id", "client-req-123");
        var response = await client.SendAsync(echoed);
        Assert.Equal("client-req-123", response.Headers.GetValues("X-Request-Id").Single());
        var error = await response.ReadJsonAsync();
        Assert.Equal("client-req-123", error.GetProperty("requestId").GetString());

        var unsafeId = new HttpRequestMessage(HttpMethod.Get, "/api/v1/health");
        unsafeId.Headers.TryAddWithoutValidation("X-Request-Id", new string('a', 500));
        var generated = (await client.SendAsync(unsafeId)).Headers.GetValues("X-Request-Id").Single();
        Assert.StartsWith("req_", generated);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=0")]
    [InlineData("pageSize=101")]
    public async Task Out_of_range_paging_is_422(string query)
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.GetAsync($"/api/v1/tenants/current/users?{query}");
        await response.AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Non_numeric_paging_is_400()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.GetAsync("/api/v1/tenants/current/users?page=abc");
        await response.AssertErrorAsync(400, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        var response = await factory.CreateClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.ReadJsonAsync();
        var paths = document.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/api/v1/auth/register", out _));
        Assert.True(paths.TryGetProperty("/api/v1/admin/tenants", out _));
    }

    [Fact]
    public async Task Public_health_is_anonymous_and_detailed_health_needs_platform_admin()
    {
        var anonymous = factory.CreateClient();
        var health = await anonymous.GetAsync("/api/v1/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("Healthy", (await health.ReadJsonAsync()).GetProperty("status").GetString());

        await (await anonymous.GetAsync("/api/v1/health/detailed")).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        var tenant = await factory.CreateTenantAsync();
        await (await tenant.Client.GetAsync("/api/v1/health/detailed")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");

        var admin = await factory.SignInAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);
        var detailed = await (await admin.GetAsync("/api/v1/health/detailed")).ReadJsonAsync();
        var checks = detailed.GetProperty("checks");
        foreach (var name in new[] { "AppDbContext", "StackExchange.Redis", "RabbitMQ.Client" })
        {
            Assert.Equal("Healthy", checks.GetProperty(name).GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task Service_health_endpoints_answer()
    {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
    }
}
