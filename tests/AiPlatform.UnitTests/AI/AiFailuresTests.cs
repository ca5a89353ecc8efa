using System.ClientModel;
using System.Net;
using System.Text.Json;
using AiPlatform.Core.AI;
using AiPlatform.Core.Common;
using Microsoft.SemanticKernel;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AiPlatform.UnitTests.AI;

public class AiFailuresTests
{
    private const string Provider = "acme";

    public static TheoryData<Exception, int, string> Failures => new()
    {
        { new HttpOperationException(HttpStatusCode.TooManyRequests, "{}", "429", null), 503, "rate limiting" },
        { new HttpOperationException(HttpStatusCode.InternalServerError, "{}", "500", null), 503, "HTTP 500" },
        { new HttpOperationException(HttpStatusCode.BadGateway, "{}", "502", null), 503, "HTTP 502" },
        { new HttpOperationException(HttpStatusCode.RequestTimeout, "{}", "408", null), 503, "HTTP 408" },
        { new HttpOperationException(HttpStatusCode.Unauthorized, "{}", "401", null), 503, "credentials" },
        { new HttpOperationException(HttpStatusCode.BadRequest, "{}", "400", null), 502, "rejected the request (HTTP 400)" },
        // SK wraps a transport failure as an HttpOperationException without a status around the SDK's exception.
        { new HttpOperationException(null, null, "failed", new ClientResultException("failed", null, new HttpRequestException("refused"))), 503, "could not be reached" },
        { new ClientResultException("failed", null, new HttpRequestException("refused")), 503, "could not be reached" },
        { new HttpRequestException("No connection could be made"), 503, "could not be reached" },
        { new TimeoutRejectedException(), 503, "did not answer in time" },
        { new TaskCanceledException("timeout", new TimeoutException()), 503, "did not answer in time" },
        { new BrokenCircuitException(), 503, "not being called" },
        { new IsolatedCircuitException(), 503, "not being called" },
        { new HttpIOException(HttpRequestError.ResponseEnded, "ended"), 503, "dropped the connection" },
        { new JsonException("'t' is an invalid start of a value."), 502, "malformed" },
        { new KernelException("wrapped", new JsonException("bad")), 502, "malformed" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Maps_provider_failures_to_AI_SERVICE_UNAVAILABLE_naming_the_provider(Exception exception, int status, string says)
    {
        var failure = AiFailures.ToDomainException(exception, Provider);

        Assert.NotNull(failure);
        Assert.Equal(status, failure.StatusCode);
        Assert.Equal(ErrorCodes.AiServiceUnavailable, failure.Code);
        Assert.Contains("'acme'", failure.Message);
        Assert.Contains(says, failure.Message);
    }

    [Fact]
    public void Never_repeats_the_upstream_body_or_message()
    {
        var leaky = new HttpOperationException(HttpStatusCode.Unauthorized, "{\"error\":\"Incorrect API key sk-live-123\"}", "Incorrect API key sk-live-123", null);

        var failure = AiFailures.ToDomainException(leaky, Provider)!;

        Assert.DoesNotContain("sk-live-123", failure.Message);
    }

    [Fact]
    public void Leaves_other_failures_alone()
    {
        Assert.Null(AiFailures.ToDomainException(new InvalidOperationException("a bug"), Provider));
        Assert.Null(AiFailures.ToDomainException(DomainException.NotFound("Assistant"), Provider));
    }
}
