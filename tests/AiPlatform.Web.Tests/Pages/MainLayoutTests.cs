using System.Net;
using AiPlatform.Web.Components.Layout;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class MainLayoutTests : ConsoleTestContext
{
    [Fact]
    public void Shows_the_user_their_tenant_role_and_credits()
    {
        Api.On(HttpMethod.Get, "/api/v1/credits/balance", _ => ApiStub.Json(new { balance = 1234.5m, currency = "CREDITS", updatedAt = (DateTime?)null }));
        SignIn();
        Session.SetTenantName("Acme Robotics");

        var layout = Render<MainLayout>();

        layout.WaitForAssertion(() => Assert.Equal("1,234.5 credits", layout.Find(".credits").TextContent));
        Assert.Equal("Ada Lovelace", layout.Find(".user-name").TextContent);
        Assert.Equal("Acme Robotics · Tenant admin", layout.Find(".user-context").TextContent);
        Assert.Equal(["Home", "Assistants", "Documents", "Chat"], layout.FindAll("nav a").Select(a => a.TextContent));
    }

    [Fact]
    public void Hides_the_credits_when_the_api_does_not_answer_them()
    {
        Api.On(HttpMethod.Get, "/api/v1/credits/balance", _ => ApiStub.Error(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND", "Not found."));
        SignIn();

        var layout = Render<MainLayout>();

        layout.WaitForAssertion(() => Assert.Single(Api.RequestsTo(HttpMethod.Get, "/api/v1/credits/balance")));
        Assert.Empty(layout.FindAll(".credits"));
        Assert.Equal("Ada Lovelace", layout.Find(".user-name").TextContent);
    }

    [Fact]
    public void Offers_sign_in_and_sign_up_when_signed_out()
    {
        var layout = Render<MainLayout>();

        Assert.Equal(["signin", "signup"], layout.FindAll(".topbar-link").Select(a => a.GetAttribute("href")));
        Assert.Empty(Api.Requests);
    }

    [Fact]
    public void Sign_out_revokes_the_refresh_token_and_ends_the_session()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/logout", _ => new HttpResponseMessage(HttpStatusCode.NoContent));
        SignIn(accessToken: "access-1", refreshToken: "refresh-1");
        var layout = Render<MainLayout>();

        layout.Find(".user-menu button").Click();

        layout.WaitForAssertion(() => Assert.Equal(2, layout.FindAll(".topbar-link").Count));
        var logout = Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/logout"));
        Assert.Equal("access-1", logout.BearerToken);
        Assert.Equal("""{"refreshToken":"refresh-1"}""", logout.Body);
        Assert.Null(Session.AccessToken);
        Assert.Equal("http://localhost/signin", Services.GetRequiredService<NavigationManager>().Uri);
    }
}
