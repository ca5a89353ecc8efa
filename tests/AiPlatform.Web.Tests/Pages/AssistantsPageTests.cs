using System.Net;
using AiPlatform.Web.Components.Pages.Assistants;
using AiPlatform.Web.Services;
using AiPlatform.Web.Tests.Support;
using Bunit;

namespace AiPlatform.Web.Tests.Pages;

public sealed class AssistantsPageTests : ConsoleTestContext
{
    private static readonly object Helper = new { id = Guid.NewGuid(), name = "Helper", description = "Answers questions", model = "local", status = "ACTIVE" };

    private readonly List<object> _assistants = [Helper];

    public AssistantsPageTests()
    {
        Api.On(HttpMethod.Get, "/api/v1/assistants", _ => ApiStub.Json(Paged(_assistants)))
            .On(HttpMethod.Get, "/api/v1/models", _ => ApiStub.Json(Paged([new { id = "local", name = "Offline model", provider = "local" }])));
    }

    [Fact]
    public void Lists_assistants_with_their_model_and_status()
    {
        SignIn();
        Api.On(HttpMethod.Get, "/api/v1/assistants", _ => ApiStub.Json(new { items = _assistants, page = 1, pageSize = 50, total = 73, totalPages = 2 }));

        var page = Render<AssistantsPage>();

        page.WaitForAssertion(() => Assert.Equal(["Helper", "Answers questions", "local", "Active", "Chat"], Cells(page)));
        Assert.Equal("Showing 1 of 73. Search to narrow the list.", page.Find("table + p").TextContent);
        Assert.Equal("access-1", Api.RequestsTo(HttpMethod.Get, "/api/v1/assistants")[0].BearerToken);
    }

    [Fact]
    public void Refreshes_an_expired_access_token_once_and_retries()
    {
        SignIn(accessToken: "expired", refreshToken: "refresh-1");
        // The page's two calls both fail with the expired token (answered slowly enough to be in flight together);
        // only the fresh one is accepted.
        Api.On(HttpMethod.Get, "/api/v1/assistants", (r, ct) => SlowUnlessFresh(r, Paged(_assistants), ct))
            .On(HttpMethod.Get, "/api/v1/models", (r, ct) => SlowUnlessFresh(r, Paged([]), ct))
            .On(HttpMethod.Post, "/api/v1/auth/refresh", r => r.Json.GetProperty("refreshToken").GetString() == "refresh-1"
                ? ApiStub.Json(AuthResult(accessToken: "fresh", refreshToken: "refresh-2"))
                : ApiStub.Error(HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN", "The refresh token is invalid."));

        var page = Render<AssistantsPage>();

        page.WaitForAssertion(() => Assert.Contains("Helper", page.Find("table").TextContent));
        page.WaitForAssertion(() => Assert.Equal(2, Api.RequestsTo(HttpMethod.Get, "/api/v1/models").Count));
        // One refresh for two concurrent 401s: the rotated token is stored, never presented twice.
        Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/refresh"));
        Assert.Equal("refresh-2", Session.RefreshToken);
        Assert.Equal(["expired", "fresh"], Api.RequestsTo(HttpMethod.Get, "/api/v1/assistants").Select(r => r.BearerToken));
    }

    [Fact]
    public void Ends_the_session_when_the_refresh_token_is_refused()
    {
        SignIn(accessToken: "expired");
        Api.On(HttpMethod.Get, "/api/v1/assistants", _ => Unauthorized())
            .On(HttpMethod.Get, "/api/v1/models", _ => Unauthorized())
            .On(HttpMethod.Post, "/api/v1/auth/refresh", _ =>
                ApiStub.Error(HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN", "The refresh token is invalid."));

        var page = Render<AssistantsPage>();

        page.WaitForAssertion(() => Assert.Null(Session.User));
        Assert.Single(Api.RequestsTo(HttpMethod.Post, "/api/v1/auth/refresh"));
    }

    [Fact]
    public void Shows_the_apis_validation_errors_beside_the_create_forms_fields()
    {
        SignIn();
        Api.On(HttpMethod.Post, "/api/v1/assistants", _ => ApiStub.Error(
            HttpStatusCode.UnprocessableEntity, "VALIDATION_ERROR", "One or more fields are invalid.",
            new Dictionary<string, string[]>
            {
                ["name"] = ["Name is required."],
                ["systemPrompt"] = ["System prompt must be at most 8000 characters long."],
                ["model"] = ["Unknown model 'gpt-9'."],
                ["temperature"] = ["Temperature must be between 0 and 2."],
            }));
        var page = Render<AssistantsPage>();
        page.WaitForElement("#name");

        page.Find("form:not([role=search])").Submit();

        page.WaitForAssertion(() =>
        {
            Assert.Equal("Name is required.", SignInPageTests.FieldError(page, "name"));
            Assert.Equal("System prompt must be at most 8000 characters long.", SignInPageTests.FieldError(page, "system-prompt"));
            Assert.Equal("Unknown model 'gpt-9'.", SignInPageTests.FieldError(page, "model"));
        });
        // A field the form does not have goes with the envelope's message.
        var summary = page.Find(".form-error");
        Assert.Equal("One or more fields are invalid.", summary.QuerySelector("p")!.TextContent);
        Assert.Equal("Temperature must be between 0 and 2.", summary.QuerySelector("li")!.TextContent);
        Assert.Contains("invalid", page.Find("#name").ClassName);
    }

    [Fact]
    public void Creates_an_assistant_and_lists_it()
    {
        SignIn();
        Api.On(HttpMethod.Post, "/api/v1/assistants", _ =>
        {
            var created = new { id = Guid.NewGuid(), name = "Support bot", description = (string?)null, model = "local", status = "ACTIVE" };
            _assistants.Add(created);
            return ApiStub.Json(created, HttpStatusCode.Created);
        });
        var page = Render<AssistantsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#model option").Count));

        page.Find("#name").Change("Support bot");
        page.Find("#model").Change("local");
        page.Find("form:not([role=search])").Submit();

        page.WaitForAssertion(() => Assert.Contains("Created “Support bot”.", page.Find(".form-success").TextContent));
        page.WaitForAssertion(() => Assert.Contains("Support bot", page.Find("table").TextContent));
        // The empty system prompt is left out, so the API applies its default.
        Assert.Equal("""{"name":"Support bot","model":"local","status":"ACTIVE"}""", Api.RequestsTo(HttpMethod.Post, "/api/v1/assistants")[0].Body);
        Assert.Equal("", page.Find("#name").GetAttribute("value"));
    }

    [Fact]
    public void Tenant_users_see_the_list_but_cannot_create()
    {
        SignIn(role: Roles.TenantUser);

        var page = Render<AssistantsPage>();

        page.WaitForAssertion(() => Assert.Contains("Helper", page.Find("table").TextContent));
        Assert.Empty(page.FindAll("#name"));
        Assert.Contains("Only tenant admins can create assistants.", page.Markup);
        Assert.Empty(Api.RequestsTo(HttpMethod.Get, "/api/v1/models"));
    }

    [Fact]
    public void Searches_through_the_api()
    {
        SignIn();
        var page = Render<AssistantsPage>();
        page.WaitForElement("table");

        page.Find("input[type=search]").Change("  nothing like it ");
        page.Find("form[role=search]").Submit();

        page.WaitForAssertion(() => Assert.Equal(2, Api.RequestsTo(HttpMethod.Get, "/api/v1/assistants").Count));
        Assert.Equal("?pageSize=50&sort=name%3Aasc&search=nothing%20like%20it",
            Api.RequestsTo(HttpMethod.Get, "/api/v1/assistants")[1].Query);
    }

    private static async Task<HttpResponseMessage> SlowUnlessFresh(ApiStub.Request request, object body, CancellationToken cancellationToken)
    {
        if (request.BearerToken == "fresh")
        {
            return ApiStub.Json(body);
        }

        await Task.Delay(100, cancellationToken);
        return Unauthorized();
    }

    private static HttpResponseMessage Unauthorized() =>
        ApiStub.Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "Authentication is required: send a valid access token.");

    private static object Paged(IReadOnlyCollection<object> items) =>
        new { items, page = 1, pageSize = 50, total = items.Count, totalPages = 1 };

    // The first cell holds the name and, under it, the description.
    private static string[] Cells(IRenderedComponent<AssistantsPage> page) =>
        [.. page.FindAll("tbody td strong, tbody td div, tbody td:not(:first-child)").Select(e => e.TextContent.Trim())];
}
