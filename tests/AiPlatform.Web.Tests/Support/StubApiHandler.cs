using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace AiPlatform.Web.Tests.Support;

/// <summary>
/// Stands in for the network behind a typed client. Answers are scripted in order; the last one repeats.
/// </summary>
public sealed class StubApiHandler : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private readonly Queue<Func<CancellationToken, Task<HttpResponseMessage>>> _answers = new();
    private readonly List<Uri> _requests = [];

    public IReadOnlyList<Uri> Requests
    {
        get { lock (_gate) { return [.. _requests]; } }
    }

    /// <summary>Answers with the API's health JSON shape: <c>{"status": "..."}</c>.</summary>
    public StubApiHandler AnswerHealth(HttpStatusCode code, string status) =>
        Then(_ => Task.FromResult(new HttpResponseMessage(code) { Content = JsonContent.Create(new { status }) }));

    public StubApiHandler Answer(HttpStatusCode code, string? body = null) =>
        Then(_ => Task.FromResult(new HttpResponseMessage(code) { Content = new StringContent(body ?? "") }));

    public StubApiHandler Fail(Exception exception) => Then(_ => Task.FromException<HttpResponseMessage>(exception));

    /// <summary>Never answers; only the caller's cancellation (or HttpClient.Timeout) ends the request.</summary>
    public StubApiHandler Hang() => Then(async cancellationToken =>
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new UnreachableException();
    });

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Func<CancellationToken, Task<HttpResponseMessage>> answer;
        lock (_gate)
        {
            _requests.Add(request.RequestUri!);
            answer = _answers.Count switch
            {
                0 => throw new InvalidOperationException($"No answer scripted for {request.RequestUri}."),
                1 => _answers.Peek(),
                _ => _answers.Dequeue(),
            };
        }

        return answer(cancellationToken);
    }

    private StubApiHandler Then(Func<CancellationToken, Task<HttpResponseMessage>> answer)
    {
        lock (_gate)
        {
            _answers.Enqueue(answer);
        }

        return this;
    }
}
