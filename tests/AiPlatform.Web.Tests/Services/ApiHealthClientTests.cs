using System.Net;
using AiPlatform.Web.Services;
using AiPlatform.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiPlatform.Web.Tests.Services;

// The page tests cover the three headline outcomes; these pin the edges of the client's contract.
public sealed class ApiHealthClientTests
{
    private readonly StubApiHandler _api = new();

    [Theory]
    [InlineData(HttpStatusCode.OK, "Healthy", ApiHealthStatus.Healthy)]
    [InlineData(HttpStatusCode.OK, "Degraded", ApiHealthStatus.Degraded)]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Unhealthy", ApiHealthStatus.Unhealthy)]
    [InlineData(HttpStatusCode.OK, "healthy", ApiHealthStatus.Healthy)]
    public async Task Reports_the_status_the_api_reports(HttpStatusCode code, string reported, ApiHealthStatus expected)
    {
        _api.AnswerHealth(code, reported);

        var health = await CreateClient().CheckAsync();

        Assert.Equal(expected, health.Status);
        Assert.Null(health.Reason);
    }

    [Theory]
    [InlineData(HttpStatusCode.OK, ApiHealthStatus.Healthy)]
    [InlineData(HttpStatusCode.ServiceUnavailable, ApiHealthStatus.Unhealthy)]
    public async Task Falls_back_to_the_status_code_when_the_body_is_not_a_health_report(
        HttpStatusCode code, ApiHealthStatus expected)
    {
        _api.Answer(code, "<html>not json</html>");

        var health = await CreateClient().CheckAsync();

        Assert.Equal(expected, health.Status);
    }

    [Fact]
    public async Task Treats_any_other_status_code_as_unreachable()
    {
        _api.Answer(HttpStatusCode.NotFound);

        var health = await CreateClient().CheckAsync();

        Assert.Equal(ApiHealthStatus.Unreachable, health.Status);
        Assert.Equal("API: unreachable (HTTP 404 Not Found)", health.Summary);
    }

    [Fact]
    public async Task Reports_a_timeout_as_unreachable()
    {
        _api.Hang();

        var health = await CreateClient(timeout: TimeSpan.FromMilliseconds(200)).CheckAsync();

        Assert.Equal("API: unreachable (no answer within 0.2 s)", health.Summary);
    }

    [Fact]
    public async Task Reports_unexpected_failures_as_unreachable()
    {
        _api.Fail(new InvalidOperationException("No endpoints resolved for 'api'."));

        var health = await CreateClient().CheckAsync();

        Assert.Equal("API: unreachable (No endpoints resolved for 'api'.)", health.Summary);
    }

    [Fact]
    public async Task Lets_the_callers_own_cancellation_through()
    {
        _api.Hang();
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => CreateClient().CheckAsync(cancellation.Token));
    }

    private ApiHealthClient CreateClient(TimeSpan? timeout = null) =>
        new(new HttpClient(_api) { BaseAddress = new("http://api.test"), Timeout = timeout ?? TimeSpan.FromSeconds(5) },
            NullLogger<ApiHealthClient>.Instance);
}
