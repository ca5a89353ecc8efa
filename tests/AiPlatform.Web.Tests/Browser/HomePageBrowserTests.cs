using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AiPlatform.Web.Tests.Browser;

// End to end: real Web app on Kestrel, a fake API on loopback, system Chromium driven by Playwright.
public sealed class HomePageBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    // Generous: the first circuit on a cold test host can take a few seconds.
    private static readonly LocatorAssertionsToHaveTextOptions Patiently = new() { Timeout = 20_000 };

    private FakeApi _api = null!;
    private WebAppFactory _web = null!;

    public async Task InitializeAsync()
    {
        _api = await FakeApi.StartAsync();
        _web = new WebAppFactory(_api.Url);
        _web.StartServer();
    }

    public async Task DisposeAsync()
    {
        await _web.DisposeAsync();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Shows_api_health_and_refreshes_it()
    {
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(_web.Url);

        var status = page.GetByRole(AriaRole.Status);
        await Expect(status).ToHaveTextAsync("API: Healthy", Patiently);

        // Enabled only once the circuit is up; Playwright waits for that before clicking.
        _api.Healthy = false;
        await page.GetByRole(AriaRole.Button, new() { Name = "Refresh" }).ClickAsync(new() { Timeout = 20_000 });

        await Expect(status).ToHaveTextAsync("API: Unhealthy", Patiently);
        // One probe for the prerender (carried into the circuit as persisted state) and one for Refresh.
        Assert.Equal(2, _api.HealthRequests);
    }
}
