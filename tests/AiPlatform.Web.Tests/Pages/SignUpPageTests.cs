using System.Net;
using AiPlatform.Web.Components.Pages.Account;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class SignUpPageTests : ConsoleTestContext
{
    [Fact]
    public void Shows_the_password_policy_and_other_field_errors_beside_their_fields()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/register", _ => ApiStub.Error(
            HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR", "One or more fields are invalid.",
            new Dictionary<string, string[]>
            {
                ["password"] = ["Password must contain an uppercase letter.", "Password must contain a digit."],
                ["tenantName"] = ["Tenant name is required."],
            }));
        var page = Render<SignUpPage>();

        page.Find("#password").Change("weak");
        page.Find("form").Submit();

        page.WaitForAssertion(() => Assert.Equal(
            ["Password must contain an uppercase letter.", "Password must contain a digit."],
            page.Find("#password").ParentElement!.QuerySelectorAll(".validation-message").Select(m => m.TextContent)));
        Assert.Equal("Tenant name is required.", SignInPageTests.FieldError(page, "tenant-name"));
        Assert.Null(Session.User);
    }

    [Fact]
    public void Registers_and_starts_a_session()
    {
        Api.On(HttpMethod.Post, "/api/v1/auth/register", _ => ApiStub.Json(AuthResult(), HttpStatusCode.Created))
            .On(HttpMethod.Get, "/api/v1/tenants/current", _ => ApiStub.Json(new { id = TenantId, name = "Analytical Engines" }));
        var page = Render<SignUpPage>();

        page.Find("#first-name").Change("Ada");
        page.Find("#last-name").Change("Lovelace");
        page.Find("#tenant-name").Change("Analytical Engines");
        page.Find("#email").Change("ada@example.com");
        page.Find("#password").Change("Passw0rd!");
        page.Find("form").Submit();

        var navigation = Services.GetRequiredService<NavigationManager>();
        page.WaitForAssertion(() => Assert.Equal("http://localhost/assistants", navigation.Uri));
        Assert.Equal(
            """{"email":"ada@example.com","password":"Passw0rd!","firstName":"Ada","lastName":"Lovelace","tenantName":"Analytical Engines"}""",
            Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/register")[0].Body);
        Assert.Equal("Analytical Engines", Session.User?.TenantName);
    }
}
