using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace AiPlatform.Web.Tests.Browser;

// The console's first flow end to end: real Web app on Kestrel, the fake API on loopback, system Chromium.
public sealed class ChatFlowBrowserTests(ChromiumFixture chromium) : IClassFixture<ChromiumFixture>, IAsyncLifetime
{
    // Generous: the first circuit on a cold test host can take a few seconds.
    private const float Patience = 20_000;

    // Records every text the streaming answer shows, as the browser renders it.
    private const string RecordAnswerTexts = """
        () => {
            window.answerTexts = [];
            const messages = document.querySelector('.messages-inner');
            new MutationObserver(() => {
                const answers = messages.querySelectorAll('.message-assistant .message-content');
                const text = answers.length ? answers[answers.length - 1].textContent : '';
                if (text && window.answerTexts.at(-1) !== text) window.answerTexts.push(text);
            }).observe(messages, { subtree: true, childList: true, characterData: true });
        }
        """;

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
    public async Task Signs_in_creates_an_assistant_and_watches_a_streamed_answer()
    {
        await using var context = await chromium.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        context.SetDefaultTimeout(Patience);
        SetDefaultExpectTimeout(Patience);
        var page = await context.NewPageAsync();

        // A protected page sends a signed-out visitor to sign in, and brings them back after.
        await page.GotoAsync($"{_web.Url}/assistants");
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl=assistants$"));
        await page.GetByLabel("Email").FillAsync(FakeApi.Email);
        await page.GetByLabel("Password").FillAsync("not the password");
        // Enabled only once the circuit is up; Playwright waits for that before clicking.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid email or password.");
        await page.ScreenshotAsync(new() { Path = "/tmp/web-signin.png" });

        await page.GetByLabel("Password").FillAsync(FakeApi.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Assistants", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".user-context")).ToHaveTextAsync("Acme Robotics · Tenant admin");
        await Expect(page.Locator(".credits")).ToHaveTextAsync("1,000 credits");

        await page.GetByLabel("Name", new() { Exact = true }).FillAsync("Helper");
        await page.GetByLabel("System prompt").FillAsync("You answer briefly.");
        await page.GetByLabel("Model").SelectOptionAsync("local");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create assistant" }).ClickAsync();
        await Expect(page.Locator("tbody tr")).ToHaveTextAsync(new Regex(@"Helper\s+local\s+Active"));
        await page.ScreenshotAsync(new() { Path = "/tmp/web-assistants.png" });

        await page.GetByRole(AriaRole.Link, new() { Name = "Chat with Helper" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "New conversation" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "New conversation" })).ToBeVisibleAsync();
        await page.EvaluateAsync(RecordAnswerTexts);
        await page.GetByLabel("Message").FillAsync("Hello? Who is answering?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();

        // The fake streams the first pieces and holds the rest: they must be on screen before the answer is done.
        var answer = page.Locator("article.message-assistant").Last;
        var held = string.Concat(FakeApi.ReplyBeforeRelease);
        await Expect(answer.Locator(".message-content")).ToHaveTextAsync(held);
        await Expect(answer).ToHaveAttributeAsync("aria-busy", "true");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Stop" })).ToBeVisibleAsync();
        await Expect(answer.Locator(".usage")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = "/tmp/web-chat-streaming.png" });

        _api.ReleaseReply();

        var full = held + string.Concat(FakeApi.ReplyAfterRelease);
        await Expect(answer.Locator(".message-content")).ToHaveTextAsync(full);
        await Expect(answer.Locator(".usage")).ToHaveTextAsync("local · 12 prompt + 5 completion tokens · 0 credits");
        await Expect(answer).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Send" })).ToBeVisibleAsync();
        await Expect(page.Locator(".conversation-list a.active")).ToContainTextAsync("2 messages");
        await page.ScreenshotAsync(new() { Path = "/tmp/web-chat.png" });

        // Progressively: the answer grew through several visible states, each extending the last, not in one jump.
        var seen = await page.EvaluateAsync<string[]>("() => window.answerTexts");
        Assert.True(seen.Length >= 3, $"Expected the answer to grow in steps; saw: {string.Join(" | ", seen)}");
        Assert.Equal(full, seen[^1]);
        Assert.Contains(held, seen);
        Assert.All(seen.Zip(seen.Skip(1)), pair => Assert.StartsWith(pair.First, pair.Second));

        // The session lives in the circuit: a full reload starts a new one, signed out.
        await page.ReloadAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/signin\\?returnUrl=chat"));
    }
}
