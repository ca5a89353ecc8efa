using System.Net;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>The load generator's HTTP clients: every path under comparison is driven through the same kind of client.</summary>
public static class BenchHttp
{
    /// <summary>
    /// HTTP/1.1 over SocketsHttpHandler: no proxy, no cookies, no decompression, no redirects, as many connections as
    /// there are concurrent streams (unbounded), kept for the whole run.
    /// </summary>
    public static HttpClient CreateClient(Uri? baseAddress = null) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxConnectionsPerServer = int.MaxValue,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
    })
    {
        BaseAddress = baseAddress,
        Timeout = TimeSpan.FromMinutes(5),
        DefaultRequestVersion = HttpVersion.Version11,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };
}
