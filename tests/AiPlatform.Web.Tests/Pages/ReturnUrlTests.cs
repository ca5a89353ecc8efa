using AiPlatform.Web.Components.Pages.Account;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class ReturnUrlTests : BunitContext
{
    [Theory]
    [InlineData("chat/0197a000?assistantId=1", "chat/0197a000?assistantId=1")]
    [InlineData("/assistants", "assistants")]
    [InlineData("http://localhost/chat", "chat")]
    [InlineData(null, ReturnUrl.Default)]
    [InlineData("", ReturnUrl.Default)]
    [InlineData("//evil.example/phish", ReturnUrl.Default)]
    [InlineData("/\\evil.example", ReturnUrl.Default)]
    [InlineData("https://evil.example/", ReturnUrl.Default)]
    [InlineData("javascript:alert(1)", ReturnUrl.Default)]
    public void Goes_back_only_to_pages_of_this_app(string? returnUrl, string expected)
    {
        var navigation = Services.GetRequiredService<NavigationManager>();

        Assert.Equal(expected, ReturnUrl.Resolve(navigation, returnUrl));
    }
}
