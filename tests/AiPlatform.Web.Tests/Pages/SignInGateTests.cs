using AiPlatform.Web.Components;
using AiPlatform.Web.Components.Pages.Account;
using AiPlatform.Web.Components.Pages.Assistants;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class SignInGateTests : ConsoleTestContext
{
    private NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    [Fact]
    public void Sends_a_signed_out_user_to_sign_in_and_back()
    {
        Navigation.NavigateTo("assistants?search=bot");

        var gate = RenderGate(typeof(AssistantsPage));

        Assert.DoesNotContain("page content", gate.Markup);
        Assert.Equal("http://localhost/signin?returnUrl=assistants%3Fsearch%3Dbot", Navigation.Uri);
    }

    [Fact]
    public void Shows_a_protected_page_to_a_signed_in_user()
    {
        SignIn();

        var gate = RenderGate(typeof(AssistantsPage));

        Assert.Contains("page content", gate.Markup);
    }

    [Fact]
    public void Shows_pages_marked_allow_anonymous_to_everyone()
    {
        var gate = RenderGate(typeof(SignInPage));

        Assert.Contains("page content", gate.Markup);
    }

    [Fact]
    public void Leaves_a_protected_page_when_the_session_ends()
    {
        SignIn();
        Navigation.NavigateTo("chat");
        var gate = RenderGate(typeof(AssistantsPage));

        Session.End();

        gate.WaitForAssertion(() => Assert.DoesNotContain("page content", gate.Markup));
        Assert.Equal("http://localhost/signin?returnUrl=chat", Navigation.Uri);
    }

    private IRenderedComponent<SignInGate> RenderGate(Type pageType) => Render<SignInGate>(p => p
        .Add(g => g.PageType, pageType)
        .AddChildContent("<p>page content</p>"));
}
