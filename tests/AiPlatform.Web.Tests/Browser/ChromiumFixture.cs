using Microsoft.Playwright;

namespace AiPlatform.Web.Tests.Browser;

/// <summary>
/// One headless Chromium for the browser tests. Uses the system browser (Debian's chromium) instead of
/// Playwright's downloads, so nothing is fetched: only the Node driver shipped in the NuGet package runs.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    // Override where chromium lives elsewhere (e.g. CHROMIUM_PATH=/usr/bin/chromium-browser).
    private static readonly string ExecutablePath =
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {ExecutablePath}. Install it (apt-get install chromium) or set CHROMIUM_PATH.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
