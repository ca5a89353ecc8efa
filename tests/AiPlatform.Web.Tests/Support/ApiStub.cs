using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace AiPlatform.Web.Tests.Support;

/// <summary>
/// The network behind the console's real typed clients in page tests: answers by method and path and records every
/// request as it reached the wire (with its bearer token). A route added later wins, so tests override defaults.
/// </summary>
public sealed class ApiStub : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly List<Route> _routes = [];
    private readonly List<Request> _requests = [];

    public IReadOnlyList<Request> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    public IReadOnlyList<Request> RequestsTo(HttpMethod method, string path) =>
        [.. Requests.Where(r => r.Method == method && r.Path == path)];

    public ApiStub On(HttpMethod method, string path, Func<Request, HttpResponseMessage> answer) =>
        On(method, path, (request, _) => Task.FromResult(answer(request)));

    public ApiStub On(HttpMethod method, string path, Func<Request, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_gate)
        {
            _routes.Add(new(method, path, answer));
        }

        return this;
    }

    public static HttpResponseMessage Json(object body, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = JsonContent.Create(body) };

    /// <summary>The API's error envelope.</summary>
    public static HttpResponseMessage Error(HttpStatusCode status, string code, string message, object? details = null) =>
        Json(new { error = new { code, message, details }, requestId = "test-request" }, status);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        var request = new Request(
            message.Method, message.RequestUri!.AbsolutePath, message.RequestUri.Query,
            message.Headers.Authorization?.Parameter, message.Headers.Accept.ToString(),
            message.Content is null ? "" : await message.Content.ReadAsStringAsync(cancellationToken));

        Route? route;
        lock (_gate)
        {
            _requests.Add(request);
            route = _routes.LastOrDefault(r => r.Method == request.Method && r.Path == request.Path);
        }

        return route is null
            ? Error(HttpStatusCode.NotFound, "RESOURCE_NOT_FOUND", $"This test scripted no answer for {request.Method} {request.Path}.")
            : await route.Answer(request, cancellationToken);
    }

    public sealed record Request(HttpMethod Method, string Path, string Query, string? BearerToken, string Accept, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    private sealed record Route(HttpMethod Method, string Path, Func<Request, CancellationToken, Task<HttpResponseMessage>> Answer);
}
