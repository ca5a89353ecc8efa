using System.Net;
using System.Net.Http.Json;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Api;

/// <summary>An API instance whose auth limit is small enough to hit.</summary>
public sealed class RateLimitedApiFactory : ApiFactory
{
    public const int Limit = 3;

    protected override int AuthPermitLimit => Limit;
}

public sealed class RateLimitTests(RateLimitedApiFactory factory) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task Auth_endpoints_are_limited_per_client_with_headers_and_retry_after()
    {
        var client = factory.CreateClient();
        var login = new { email = "nobody@example.test", password = "Wrong-Passw0rd" };
        for (var remaining = RateLimitedApiFactory.Limit - 1; remaining >= 0; remaining--)
        {
            var allowed = await client.PostAsJsonAsync("/api/v1/auth/login", login);
            Assert.Equal(HttpStatusCode.Unauthorized, allowed.StatusCode);
            Assert.Equal(RateLimitedApiFactory.Limit.ToString(), allowed.Headers.GetValues("X-RateLimit-Limit").Single());
            Assert.Equal(remaining.ToString(), allowed.Headers.GetValues("X-RateLimit-Remaining").Single());
        }

        var limited = await client.PostAsJsonAsync("/api/v1/auth/login", login);
        var error = await limited.AssertErrorAsync(429, "RATE_LIMIT_EXCEEDED");
        Assert.Equal(RateLimitedApiFactory.Limit, error.GetProperty("details").GetProperty("limit").GetInt32());
        var retryAfter = int.Parse(limited.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        var reset = long.Parse(limited.Headers.GetValues("X-RateLimit-Reset").Single());
        Assert.InRange(reset, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddSeconds(61).ToUnixTimeSeconds());

        // Other endpoints are not under the auth limit.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/health")).StatusCode);
    }

    [Fact]
    public async Task The_limit_is_shared_through_redis_across_api_instances()
    {
        // A second instance with the same Redis key prefix stands in for a second replica.
        await using var replica = new SharedPrefixApiFactory(factory.RateLimitKeyPrefix);
        await ((Xunit.IAsyncLifetime)replica).InitializeAsync();
        try
        {
            var login = new { email = "shared@example.test", password = "Wrong-Passw0rd" };
            var responses = new List<HttpStatusCode>();
            for (var i = 0; i < RateLimitedApiFactory.Limit + 2; i++)
            {
                var instance = i % 2 == 0 ? factory.CreateClient() : replica.CreateClient();
                responses.Add((await instance.PostAsJsonAsync("/api/v1/auth/login", login)).StatusCode);
            }

            Assert.Contains(HttpStatusCode.TooManyRequests, responses);
        }
        finally
        {
            await ((Xunit.IAsyncLifetime)replica).DisposeAsync();
        }
    }

    private sealed class SharedPrefixApiFactory(string prefix) : ApiFactory
    {
        protected override int AuthPermitLimit => RateLimitedApiFactory.Limit;

        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("RateLimiting:KeyPrefix", prefix);
        }
    }
}
