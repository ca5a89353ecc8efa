using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiPlatform.Core.Assistants.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.Tools;

// A fake primary handler stands in for the network, except in the connect-time tests, which are refused
// before any packet leaves (and only ever aim at loopback).
public class HttpGetToolTests
{
    private const int Limit = 100 * 1024;

    private static HttpResponseMessage Text(string body, string mediaType = "text/plain", HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

    private static HttpResponseMessage Redirect(string location, HttpStatusCode status = HttpStatusCode.Found) =>
        new(status) { Headers = { Location = new Uri(location, UriKind.RelativeOrAbsolute) } };

    private static HttpResponseMessage Body(Stream body, string? mediaType)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = mediaType is null ? null : MediaTypeHeaderValue.Parse(mediaType);
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    [Fact]
    public async Task Returns_status_content_type_and_body()
    {
        var handler = new FakeHandler(_ => Text("""{"hello":"world"}""", "application/json", HttpStatusCode.Created));
        using var host = new ToolTestHost(ToolTestHost.Allowing("api.example.com"), handler);

        var answer = await host.FetchAsync("https://api.example.com/greeting?x=1");

        Assert.Equal(new Uri("https://api.example.com/greeting?x=1"), Assert.Single(handler.Requests));
        Assert.Contains("URL: https://api.example.com/greeting?x=1", answer);
        Assert.Contains("Status: 201 Created", answer);
        Assert.Contains("Content-Type: application/json; charset=utf-8", answer);
        Assert.EndsWith("""{"hello":"world"}""", answer);
    }

    [Fact]
    public async Task Asks_with_http_1_1_only_and_says_who_it_is()
    {
        HttpRequestMessage? seen = null;
        var handler = new FakeHandler(request =>
        {
            seen = request;
            return Text("ok");
        });
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        await host.FetchAsync("https://docs.example.com/");

        Assert.NotNull(seen);
        Assert.Equal(HttpMethod.Get, seen.Method);
        Assert.Equal(HttpVersion.Version11, seen.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionOrLower, seen.VersionPolicy); // never HTTP/3, which skips the connect check
        Assert.Equal("AiPlatform-http_get/1.0", seen.Headers.UserAgent.ToString());
    }

    [Fact]
    public async Task Error_statuses_are_reported_not_thrown()
    {
        var handler = new FakeHandler(_ => Text("no such page", "text/html", HttpStatusCode.NotFound));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/missing");

        Assert.Contains("Status: 404 Not Found", answer);
        Assert.EndsWith("no such page", answer);
    }

    [Fact]
    public async Task A_server_error_is_asked_once_because_the_default_resilience_handler_is_removed()
    {
        var handler = new FakeHandler(_ => Text("down", status: HttpStatusCode.ServiceUnavailable));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/");

        Assert.Contains("Status: 503 Service Unavailable", answer);
        Assert.Single(handler.Requests);
    }

    [Theory]
    [InlineData("http://docs.example.com/")]
    [InlineData("ftp://docs.example.com/file.txt")]
    [InlineData("file:///etc/passwd")]
    public async Task Only_https_is_fetched(string url)
    {
        var handler = new FakeHandler(_ => Text("should not be asked"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync(url);

        Assert.StartsWith("http_get refused: only https:// URLs can be fetched.", answer);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData("docs.example.com/page")]
    [InlineData("/relative/path")]
    [InlineData("not a url")]
    public async Task A_url_that_is_not_absolute_is_refused(string url)
    {
        var handler = new FakeHandler(_ => Text("should not be asked"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        Assert.StartsWith("http_get refused:", await host.FetchAsync(url));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task An_empty_allow_list_refuses_everything_and_says_where_to_configure_it()
    {
        var handler = new FakeHandler(_ => Text("should not be asked"));
        using var host = new ToolTestHost(new(), handler);

        var answer = await host.FetchAsync("https://docs.example.com/");

        Assert.StartsWith("http_get refused: this workspace allows no hosts yet", answer);
        Assert.Contains("tools.httpGetAllowedHosts", answer);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData("https://evil-example.com/")]
    [InlineData("https://example.com/")]
    [InlineData("https://example.com.evil.net/")]
    [InlineData("https://127.0.0.1/")]
    public async Task A_host_off_the_allow_list_is_refused(string url)
    {
        var handler = new FakeHandler(_ => Text("should not be asked"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("*.example.com"), handler);

        var answer = await host.FetchAsync(url);

        Assert.StartsWith($"http_get refused: {new Uri(url).IdnHost} is not on this workspace's allow-list (*.example.com).", answer);
        Assert.Contains("tools.httpGetAllowedHosts", answer);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task The_body_is_cut_at_the_limit_and_no_more_is_read_than_one_byte_past_it()
    {
        var body = new CountingStream(10 * Limit);
        var handler = new FakeHandler(_ => Body(body, "text/plain"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/big.txt");

        Assert.Contains($"Note: the body is longer than {Limit} bytes; only its beginning is shown.", answer);
        Assert.EndsWith("\n" + new string('a', Limit), answer);
        Assert.True(body.BytesRead <= Limit + 1, $"read {body.BytesRead} bytes");
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_returned_whole_without_a_note()
    {
        var handler = new FakeHandler(_ => Body(new CountingStream(Limit), "text/plain"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/exact.txt");

        Assert.DoesNotContain("Note:", answer);
        Assert.EndsWith("\n" + new string('a', Limit), answer);
    }

    [Fact]
    public async Task The_limit_comes_from_configuration()
    {
        var handler = new FakeHandler(_ => Body(new CountingStream(100), "text/plain"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler,
            new() { ["Tools:HttpGet:MaxResponseBytes"] = "10" });

        var answer = await host.FetchAsync("https://docs.example.com/");

        Assert.Contains("longer than 10 bytes", answer);
        Assert.EndsWith("\n" + new string('a', 10), answer);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("text/csv")]
    [InlineData("application/json")]
    [InlineData("application/problem+json")]
    [InlineData("application/rss+xml")]
    [InlineData("application/xml")]
    [InlineData("application/javascript")]
    [InlineData("application/yaml")]
    public async Task Text_like_content_is_returned(string mediaType)
    {
        var handler = new FakeHandler(_ => Text("content", mediaType));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        Assert.EndsWith("\ncontent", await host.FetchAsync("https://docs.example.com/"));
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("application/octet-stream")]
    [InlineData("application/pdf")]
    [InlineData("video/mp4")]
    [InlineData(null)]
    public async Task Other_content_is_refused_without_reading_the_body(string? mediaType)
    {
        var body = new CountingStream(Limit);
        var handler = new FakeHandler(_ => Body(body, mediaType));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/file");

        Assert.Contains("Status: 200 OK", answer);
        Assert.Contains($"Content-Type: {mediaType ?? "(none)"}", answer);
        Assert.EndsWith("The body is not returned: only text content (text/*, JSON, XML and the like) is.", answer);
        Assert.Equal(0, body.BytesRead);
    }

    [Fact]
    public async Task The_charset_of_the_content_type_is_honoured()
    {
        var handler = new FakeHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("grüße", Encoding.Latin1, "text/plain"),
        });
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        Assert.EndsWith("\ngrüße", await host.FetchAsync("https://docs.example.com/"));
    }

    [Fact]
    public async Task Redirects_to_allowed_https_hosts_are_followed_and_resolved_against_the_current_url()
    {
        var handler = new FakeHandler(request => request.RequestUri!.AbsoluteUri switch
        {
            "https://docs.example.com/old" => Redirect("https://www.example.com/moved", HttpStatusCode.MovedPermanently),
            "https://www.example.com/moved" => Redirect("/final?page=2", HttpStatusCode.TemporaryRedirect),
            "https://www.example.com/final?page=2" => Text("arrived"),
            var other => throw new InvalidOperationException($"unexpected {other}"),
        });
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com", "*.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/old");

        Assert.Equal(3, handler.Requests.Count);
        Assert.Contains("URL: https://www.example.com/final?page=2", answer);
        Assert.EndsWith("\narrived", answer);
    }

    [Fact]
    public async Task A_redirect_to_a_host_off_the_allow_list_is_refused()
    {
        var handler = new FakeHandler(_ => Redirect("https://internal.corp.local/admin"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/");

        Assert.StartsWith(
            "http_get refused: the server redirected to https://internal.corp.local/admin, but internal.corp.local is not on this workspace's allow-list",
            answer);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task A_redirect_to_plain_http_is_refused()
    {
        var handler = new FakeHandler(_ => Redirect("http://docs.example.com/"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler);

        var answer = await host.FetchAsync("https://docs.example.com/");

        Assert.Equal("http_get refused: the server redirected to http://docs.example.com/, but only https:// URLs can be fetched.", answer);
        Assert.Single(handler.Requests);
    }

    [Fact]
    public async Task Redirects_stop_at_the_configured_number()
    {
        var hops = 0;
        var handler = new FakeHandler(_ => Redirect($"https://docs.example.com/{++hops}"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("docs.example.com"), handler,
            new() { ["Tools:HttpGet:MaxRedirects"] = "2" });

        var answer = await host.FetchAsync("https://docs.example.com/0");

        Assert.Equal("http_get refused: more than 2 redirects; the last one went to https://docs.example.com/2, which redirects again.", answer);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_does_not_answer_in_time_gives_a_timeout_text()
    {
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        using var host = new ToolTestHost(ToolTestHost.Allowing("slow.example.com"), handler,
            new() { ["Tools:HttpGet:Timeout"] = "00:00:00.200" });

        var started = TimeProvider.System.GetTimestamp();
        var answer = await host.FetchAsync("https://slow.example.com/");

        Assert.Equal("http_get failed: https://slow.example.com/ gave no complete answer within 0.2 s.", answer);
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(150), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task The_timeout_covers_reading_the_body()
    {
        var handler = new FakeHandler(_ => Body(new StallingStream(), "text/plain"));
        using var host = new ToolTestHost(ToolTestHost.Allowing("slow.example.com"), handler,
            new() { ["Tools:HttpGet:Timeout"] = "00:00:00.200" });

        Assert.Equal("http_get failed: https://slow.example.com/ gave no complete answer within 0.2 s.",
            await host.FetchAsync("https://slow.example.com/"));
    }

    [Fact]
    public async Task Cancelling_the_turn_cancels_the_fetch_instead_of_answering()
    {
        var handler = new FakeHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        using var host = new ToolTestHost(ToolTestHost.Allowing("slow.example.com"), handler);
        using var turn = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => host.FetchAsync("https://slow.example.com/", turn.Token));
    }

    [Fact]
    public void Options_default_to_5_seconds_100_KB_and_3_redirects()
    {
        using var host = new ToolTestHost(new());
        var options = host.Services.GetRequiredService<IOptions<HttpGetToolOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), options.Timeout);
        Assert.Equal(102400, options.MaxResponseBytes);
        Assert.Equal(3, options.MaxRedirects);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        using var host = new ToolTestHost(new(), configuration: new() { ["Tools:HttpGet:MaxResponseBytes"] = "0" });

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<HttpGetToolOptions>>().Value);
    }

    [Fact]
    public void The_real_client_connects_through_the_vetting_callback_without_proxy_or_automatic_redirects()
    {
        using var host = new ToolTestHost(new());
        var handler = host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(HttpGetTool.HttpClientName);

        var chain = new List<HttpMessageHandler>();
        for (HttpMessageHandler? h = handler; h is not null; h = (h as DelegatingHandler)?.InnerHandler)
        {
            chain.Add(h);
        }

        var primary = Assert.IsType<SocketsHttpHandler>(chain[^1]);
        Assert.False(primary.AllowAutoRedirect);
        Assert.False(primary.UseProxy);
        Assert.NotNull(primary.ConnectCallback);
        Assert.DoesNotContain(chain, h => h is Microsoft.Extensions.Http.Resilience.ResilienceHandler);
    }

    [Theory]
    [InlineData("127.0.0.1", "https://127.0.0.1:9/")]
    [InlineData("::1", "https://[::1]:9/")]
    [InlineData("169.254.169.254", "https://169.254.169.254/latest/meta-data/")]
    public async Task An_allow_listed_internal_address_is_refused_at_connect_time(string allowed, string url)
    {
        using var host = new ToolTestHost(ToolTestHost.Allowing(allowed));

        var answer = await host.FetchAsync(url);

        Assert.StartsWith("http_get refused: ", answer);
        Assert.Contains("a private, loopback, link-local or otherwise non-public address", answer);
    }

    [Fact]
    public async Task The_connect_callback_refuses_before_opening_a_socket()
    {
        var context = await ConnectionContextAsync("localhost", 9);

        var refusal = await Assert.ThrowsAsync<DestinationRefusedException>(() => VettedConnector.ConnectAsync(context, default).AsTask());
        Assert.Equal("localhost", refusal.Host);
        Assert.True(IPAddress.IsLoopback(refusal.Address));
    }

    // SocketsHttpConnectionContext has no public constructor; a handler whose callback captures it makes one.
    private static async Task<SocketsHttpConnectionContext> ConnectionContextAsync(string host, int port)
    {
        SocketsHttpConnectionContext? captured = null;
        using var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectCallback = (context, _) =>
            {
                captured = context;
                throw new OperationCanceledException("captured");
            },
        };
        using var client = new HttpClient(handler);
        await Assert.ThrowsAnyAsync<Exception>(() => client.GetAsync($"https://{host}:{port}/"));
        return captured ?? throw new InvalidOperationException("no connection was attempted");
    }

    /// <summary>A body whose first read never completes until cancelled.</summary>
    private sealed class StallingStream : Stream
    {
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
