using AiPlatform.Web.Extensions;
using AiPlatform.Web.Services;
using AiPlatform.Web.Services.Identity;
using Bunit;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.Web.Tests.Support;

/// <summary>
/// bUnit with the console's own registrations (typed clients, bearer handler with refresh, session, auth state) and
/// service discovery as the app has it; only the network underneath is <see cref="Api"/>.
/// </summary>
public abstract class ConsoleTestContext : BunitContext
{
    public static readonly Guid UserId = Guid.Parse("0197a000-0000-7000-8000-000000000001");
    public static readonly Guid TenantId = Guid.Parse("0197a000-0000-7000-8000-000000000002");

    // bUnit's 1 s default is too short on a loaded 2-core CI machine, where a render after an HTTP round trip can lag.
    static ConsoleTestContext() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    protected ConsoleTestContext()
    {
        Services.AddSingleton<IConfiguration>(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["services:api:http:0"] = "http://api.test" })
            .Build());
        Services.AddLogging();
        Services.AddServiceDiscovery();
        Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddServiceDiscovery();
            http.ConfigurePrimaryHttpMessageHandler(() => Api);
        });
        // bUnit pre-registers authorization placeholders that refuse to authorize; the console's real ones replace them.
        Services.RemoveAll<IAuthorizationService>();
        Services.RemoveAll<IAuthorizationPolicyProvider>();
        Services.RemoveAll<AuthenticationStateProvider>();
        Services.AddConsoleServices();

        // As in the browser once the circuit is up.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));

        // What the circuit handler does around every circuit event, so the bearer handler finds this test's session.
        new CircuitServicesAccessor().Services = Services;
    }

    protected ApiStub Api { get; } = new();

    protected UserSession Session => Services.GetRequiredService<UserSession>();

    protected void SignIn(string role = Roles.TenantAdmin, string accessToken = "access-1", string refreshToken = "refresh-1") =>
        Session.Start(AuthResult(role, accessToken, refreshToken));

    public static AuthResult AuthResult(string role = Roles.TenantAdmin, string accessToken = "access-1", string refreshToken = "refresh-1") =>
        new(new AuthUser(UserId, "ada@example.com", "Ada", "Lovelace", role), new AuthTokens(accessToken, refreshToken));
}
