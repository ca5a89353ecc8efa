using System.Net;
using AiPlatform.Web.Components.Pages.Home;
using AiPlatform.Web.Services;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class HomePageTests : BunitContext
{
    private readonly StubApiHandler _api = new();
    private readonly BunitAuthorizationContext _auth;

    public HomePageTests()
    {
        // Same typed-client shape as the app; only the network underneath is fake.
        Services.AddHttpClient<ApiHealthClient>(c => c.BaseAddress = new("http://api.test"))
            .ConfigurePrimaryHttpMessageHandler(() => _api);

        // Signed out, unless a test signs in.
        _auth = AddAuthorization();

        // As in the browser once the circuit is up.
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    [Fact]
    public void Says_the_console_is_up()
    {
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy");

        var page = Render<HomePage>();

        Assert.Contains("The AiPlatform console is up.", page.Markup);
    }

    [Fact]
    public void Shows_healthy_when_the_api_reports_healthy()
    {
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy");

        var page = Render<HomePage>();

        page.WaitForAssertion(() => Assert.Equal("API: Healthy", StatusText(page)));
        Assert.Equal(new Uri("http://api.test/api/v1/health"), Assert.Single(_api.Requests));
    }

    [Fact]
    public void Shows_unhealthy_when_the_api_answers_503()
    {
        _api.AnswerHealth(HttpStatusCode.ServiceUnavailable, "Unhealthy");

        var page = Render<HomePage>();

        page.WaitForAssertion(() => Assert.Equal("API: Unhealthy", StatusText(page)));
    }

    [Fact]
    public void Shows_unreachable_with_the_reason_when_the_api_cannot_be_reached()
    {
        _api.Fail(new HttpRequestException("Connection refused (api.test:80)"));

        var page = Render<HomePage>();

        page.WaitForAssertion(() =>
            Assert.Equal("API: unreachable (Connection refused (api.test:80))", StatusText(page)));
    }

    [Fact]
    public void Refresh_probes_the_api_again()
    {
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy")
            .AnswerHealth(HttpStatusCode.ServiceUnavailable, "Unhealthy");
        var page = Render<HomePage>();
        page.WaitForAssertion(() => Assert.Equal("API: Healthy", StatusText(page)));

        page.Find("button").Click();

        page.WaitForAssertion(() => Assert.Equal("API: Unhealthy", StatusText(page)));
        Assert.Equal(2, _api.Requests.Count);
    }

    [Fact]
    public void Refresh_is_disabled_until_the_page_is_interactive()
    {
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy");

        var page = Render<HomePage>();

        page.WaitForAssertion(() => Assert.Equal("API: Healthy", StatusText(page)));
        Assert.True(page.Find("button").HasAttribute("disabled"));
    }

    [Fact]
    public void Invites_a_signed_out_visitor_to_sign_in()
    {
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy");

        var page = Render<HomePage>();

        Assert.Equal(["signin", "signup"], page.FindAll("#get-started ~ p a").Select(a => a.GetAttribute("href")));
    }

    [Fact]
    public void Greets_a_signed_in_user()
    {
        _api.AnswerHealth(HttpStatusCode.OK, "Healthy");
        _auth.SetAuthorized("Ada Lovelace");

        var page = Render<HomePage>();

        Assert.Contains("Signed in as Ada Lovelace.", page.Markup);
    }

    private static string StatusText(IRenderedComponent<HomePage> page) =>
        page.Find("[role=status]").TextContent.Trim();
}
