using System.Net;
using AiPlatform.Web.Components.Pages.Account;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class SignInPageTests : ConsoleTestContext
{
    [Fact]
    public void Shows_the_apis_message_when_the_credentials_are_wrong()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/login", _ =>
            ApiStub.Error(HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS", "Invalid email or password."));
        var page = Render<SignInPage>();

        Submit(page, "ada@example.com", "wrong");

        page.WaitForAssertion(() => Assert.Equal("Invalid email or password.", page.Find("[role=alert]").TextContent.Trim()));
        Assert.Null(Session.User);
        Assert.Empty(Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/refresh"));
    }

    [Fact]
    public void Shows_each_field_error_beside_its_field()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/login", _ => ApiStub.Error(
            HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR", "One or more fields are invalid.",
            new Dictionary<string, string[]> { ["email"] = ["Email is required."], ["password"] = ["Password is required."] }));
        var page = Render<SignInPage>();

        Submit(page, "", "");

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Email is required.", FieldError(page, "email"));
            Assert.Equal("Password is required.", FieldError(page, "password"));
            Assert.Equal("One or more fields are invalid.", page.Find("[role=alert] p").TextContent);
        });
    }

    [Fact]
    public void Signs_in_and_returns_to_the_page_that_asked()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/login", _ => ApiStub.Json(AuthResult()))
            .On(HttpMethod.Get, "/api/v1/tenants/current", _ => ApiStub.Json(new { id = TenantId, name = "Acme Robotics" }));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("signin?returnUrl=chat%3FassistantId%3D42");
        var page = Render<SignInPage>();

        Submit(page, "ada@example.com", "Passw0rd!");

        page.WaitForAssertion(() => Assert.Equal("http://localhost/chat?assistantId=42", navigation.Uri));
        Assert.Equal("""{"email":"ada@example.com","password":"Passw0rd!"}""", Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/login")[0].Body);
        Assert.Equal("Acme Robotics", Session.User?.TenantName);
        Assert.Equal("access-1", Session.AccessToken);
        // The tenant is read with the new session's token.
        Assert.Equal("access-1", Api.RequestsTo(HttpMethod.Get, "/api/v1/tenants/current")[0].BearerToken);
    }

    private static void Submit(IRenderedComponent<SignInPage> page, string email, string password)
    {
        page.Find("#email").Change(email);
        page.Find("#password").Change(password);
        page.Find("form").Submit();
    }

    internal static string? FieldError(IRenderedComponent<IComponent> page, string inputId) =>
        page.Find($"#{inputId}").ParentElement!.QuerySelector(".validation-message")?.TextContent;
}
