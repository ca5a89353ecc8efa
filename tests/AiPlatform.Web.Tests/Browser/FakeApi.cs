using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiPlatform.Web.Tests.Browser;

/// <summary>A real HTTP server on loopback that answers <c>GET /api/v1/health</c> like the API does.</summary>
public sealed class FakeApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _healthRequests;
    private volatile bool _healthy = true;

    private FakeApi(WebApplication app) => _app = app;

    public string Url => _app.Urls.Single();

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public int HealthRequests => Volatile.Read(ref _healthRequests);

    public static async Task<FakeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var app = builder.Build();
        var api = new FakeApi(app);
        app.MapGet("/api/v1/health", () =>
        {
            Interlocked.Increment(ref api._healthRequests);
            return api.Healthy
                ? Results.Json(new { status = "Healthy" })
                : Results.Json(new { status = "Unhealthy" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        await app.StartAsync();
        return api;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
