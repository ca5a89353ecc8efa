using System.Net;
using System.Net.Http.Headers;
using AiPlatform.Benchmarks.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiPlatform.Benchmarks.FirstToken;

/// <summary>
/// The least any HTTP relay can add on this machine: a Kestrel endpoint on loopback that forwards the request body to the
/// fake model with an HttpClient and copies the streamed answer back, flushing every read, and does nothing else (no
/// authentication, no database, no parsing). Measured as a third path, it calibrates the target: the extra hop in and
/// the extra hop out that every gateway pays, before any work of its own.
/// </summary>
public sealed class BareRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _upstream = BenchHttp.CreateClient();

    private BareRelay(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    public static async Task<BareRelay> StartAsync(Uri modelEndpoint)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var relay = new BareRelay(builder.Build());
        var target = new Uri(modelEndpoint.ToString().TrimEnd('/') + "/chat/completions");
        relay._app.MapPost("/v1/chat/completions", (HttpContext context) => relay.ForwardAsync(context, target));
        await relay._app.StartAsync();
        var address = relay._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        relay.Endpoint = new Uri($"{address.TrimEnd('/')}/v1");
        return relay;
    }

    private async Task ForwardAsync(HttpContext context, Uri target)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target) { Content = new StreamContent(context.Request.Body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(context.Request.ContentType ?? "application/json");
        request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
        request.Headers.TryAddWithoutValidation("Accept", context.Request.Headers.Accept.ToString());
        using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.RequestAborted);
        context.Response.StatusCode = (int)response.StatusCode;
        context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
        await using var body = await response.Content.ReadAsStreamAsync(context.RequestAborted);
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, context.RequestAborted)) > 0)
        {
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _upstream.Dispose();
    }
}
