using System.Net.Http.Headers;
using System.Net.Http.Json;
using AiPlatform.Api.Identity;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// The real API in-process, against the real PostgreSQL, Redis and RabbitMQ, with a database of its own.
/// Tests stay independent by creating their own tenants.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@tests.aiplatform.local";
    public const string AdminPassword = "Admin-Passw0rd!";

    private TestDatabase? _database;

    public CapturingEmailSender Emails { get; } = new();

    public string RateLimitKeyPrefix { get; } = $"aiplatform-test:{Guid.NewGuid():N}";

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The fixture is not initialized.");

    /// <summary>The database the fixture's own copies: template1, as <c>CREATE DATABASE</c> does by default.</summary>
    protected virtual string DatabaseTemplate => "template1";

    /// <summary>Auth requests allowed per window; high by default so tests from one address aren't throttled.</summary>
    protected virtual int AuthPermitLimit => 100_000;

    public virtual async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("api", template: DatabaseTemplate);
        // Building the server runs the migrator and the seeder.
        _ = Server;
    }

    public virtual async Task DisposeFixtureAsync()
    {
        await DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeFixtureAsync();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:aiplatformdb", Database.ConnectionString);
        builder.UseSetting("ConnectionStrings:cache", TestServers.Redis);
        builder.UseSetting("ConnectionStrings:messaging", TestServers.RabbitMq);
        builder.UseSetting("Jwt:SigningKey", "integration-tests-signing-key-" + Guid.NewGuid().ToString("N"));
        builder.UseSetting("Seed:AdminEmail", AdminEmail);
        builder.UseSetting("Seed:AdminPassword", AdminPassword);
        builder.UseSetting("RateLimiting:KeyPrefix", RateLimitKeyPrefix);
        builder.UseSetting("RateLimiting:Auth:PermitLimit", AuthPermitLimit.ToString());
        builder.UseSetting("AI:Local:TokenDelayMs", "0");
        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<IEmailSender>(Emails)));
    }

    /// <summary>Registers a new tenant with a unique admin and returns a client signed in as that admin.</summary>
    public async Task<TestTenant> CreateTenantAsync(string? name = null)
    {
        var email = $"owner-{Guid.NewGuid():N}@example.test";
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/register", new
        {
            email,
            password = TestTenant.Password,
            firstName = "Olive",
            lastName = "Owner",
            tenantName = name ?? $"Tenant {Guid.NewGuid():N}",
        });
        response.EnsureSuccessStatusCode();
        var auth = (await response.Content.ReadFromJsonAsync<AuthResponse>(TestJson.Options))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth.Tokens.AccessToken);
        return new TestTenant(client, auth, email);
    }

    /// <summary>
    /// Another API instance on the same database and servers that accepts this one's tokens, with
    /// <paramref name="settings"/> over this one's (the caller disposes it).
    /// </summary>
    public WebApplicationFactory<Program> AnotherInstance(params (string Key, string Value)[] settings)
    {
        var signingKey = Services.GetRequiredService<IConfiguration>()["Jwt:SigningKey"];
        return WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Jwt:SigningKey", signingKey);
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    public async Task<HttpClient> SignInAsync(string email, string password)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        var auth = (await response.Content.ReadFromJsonAsync<AuthResponse>(TestJson.Options))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", auth.Tokens.AccessToken);
        return client;
    }
}

public sealed record TestTenant(HttpClient Client, AuthResponse Auth, string Email)
{
    public const string Password = "Sup3r-Secret";

    public Guid TenantId => Auth.User.TenantId;
    public Guid UserId => Auth.User.Id;

    /// <summary>A client of <paramref name="instance"/> signed in as this tenant's admin.</summary>
    public HttpClient ClientOf(WebApplicationFactory<Program> instance)
    {
        var client = instance.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Auth.Tokens.AccessToken);
        return client;
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api";
}
