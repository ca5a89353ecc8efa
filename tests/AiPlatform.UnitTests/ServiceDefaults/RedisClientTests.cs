using System.Net;
using Aspire.StackExchange.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiPlatform.UnitTests.ServiceDefaults;

// Never lets the multiplexer connect: options are captured and the factory stopped just before ConnectionMultiplexer.Connect.
public class RedisClientTests
{
    private const string Section = "Aspire:StackExchange:Redis";

    private static ConfigurationOptions CaptureOptions(IServiceProvider services, Func<ConfigurationOptions?> captured)
    {
        Assert.Throws<StopBeforeConnectException>(() => services.GetRequiredService<IConnectionMultiplexer>());
        return captured() ?? throw new InvalidOperationException("configureOptions did not run");
    }

    [Fact]
    public void Settings_are_bound_from_section_then_named_subsection()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            [$"{Section}:ConnectionString"] = "from-section:6379",
            [$"{Section}:DisableTracing"] = "true",
            [$"{Section}:cache:DisableAutoActivation"] = "false",
        });

        StackExchangeRedisSettings? seen = null;
        builder.AddRedisClient("cache", s => seen = s);

        Assert.NotNull(seen);
        Assert.Equal("from-section:6379", seen.ConnectionString);
        Assert.True(seen.DisableTracing);
        Assert.False(seen.DisableAutoActivation);
        Assert.False(seen.DisableHealthChecks);
    }

    [Fact]
    public void ConnectionStrings_entry_wins_and_options_are_parsed_from_it()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:cache"] = "from-connection-strings:6380,password=secret",
            [$"{Section}:ConnectionString"] = "from-section:6379",
            [$"{Section}:ConfigurationOptions:ConnectTimeout"] = "1234",
        });
        ConfigurationOptions? captured = null;
        builder.AddRedisClient("cache", configureOptions: o => { captured = o; throw new StopBeforeConnectException(); });
        using var host = builder.Build();

        var options = CaptureOptions(host.Services, () => captured);
        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(options.EndPoints));
        Assert.Equal(("from-connection-strings", 6380), (endpoint.Host, endpoint.Port));
        Assert.Equal("secret", options.Password);
        Assert.Equal(1234, options.ConnectTimeout);
        Assert.False(options.AbortOnConnectFail);
    }

    [Fact]
    public void Callback_runs_after_binding_and_its_changes_are_used()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:cache"] = "from-connection-strings:6380" });
        ConfigurationOptions? captured = null;
        builder.AddRedisClient("cache",
            s =>
            {
                Assert.Equal("from-connection-strings:6380", s.ConnectionString);
                s.ConnectionString = "from-callback:7000";
            },
            o => { captured = o; throw new StopBeforeConnectException(); });
        using var host = builder.Build();

        var endpoint = Assert.IsType<DnsEndPoint>(Assert.Single(CaptureOptions(host.Services, () => captured).EndPoints));
        Assert.Equal(("from-callback", 7000), (endpoint.Host, endpoint.Port));
    }

    [Fact]
    public void Missing_connection_string_throws_naming_the_key()
    {
        var builder = TestHosts.CreateBuilder();
        builder.AddRedisClient("cache");
        using var host = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IConnectionMultiplexer>());
        Assert.Contains("'ConnectionStrings:cache'", ex.Message);
        Assert.Contains($"'{Section}:ConnectionString'", ex.Message);
    }

    [Fact]
    public void Registers_singleton_multiplexer_and_one_untagged_health_check()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:cache"] = "localhost:6379" });
        builder.AddRedisClient("cache");
        builder.AddRedisClient("cache");
        using var host = builder.Build();

        var check = Assert.Single(host.Services.HealthChecks());
        Assert.Equal("StackExchange.Redis", check.Name);
        Assert.Empty(check.Tags);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IConnectionMultiplexer) && d.Lifetime == ServiceLifetime.Singleton);
    }

    [Fact]
    public void DisableHealthChecks_from_named_subsection_registers_none()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:cache"] = "localhost:6379",
            [$"{Section}:cache:DisableHealthChecks"] = "true",
        });
        builder.AddRedisClient("cache");
        using var host = builder.Build();

        Assert.Empty(host.Services.HealthChecks());
    }

    [Fact]
    public async Task Health_check_reports_unhealthy_when_redis_is_unreachable()
    {
        // Port 1 on loopback refuses at once: no server is involved; AbortOnConnectFail=false lets Connect return.
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:cache"] = "127.0.0.1:1,connectTimeout=200,asyncTimeout=200,syncTimeout=200" });
        builder.AddRedisClient("cache");
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["StackExchange.Redis"].Status);
    }
}
