using System.Diagnostics;
using Aspire.RabbitMQ.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using RabbitMQ.Client;

namespace AiPlatform.UnitTests.ServiceDefaults;

// Resolves only the IConnectionFactory (no network); the IConnection is never resolved.
public class RabbitMQClientTests
{
    private const string Section = "Aspire:RabbitMQ:Client";

    [Fact]
    public void Settings_are_bound_from_section_then_named_subsection()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            [$"{Section}:ConnectionString"] = "amqp://guest:guest@from-section:5672",
            [$"{Section}:MaxConnectRetryCount"] = "2",
            [$"{Section}:messaging:MaxConnectRetryCount"] = "3",
            [$"{Section}:messaging:DisableTracing"] = "true",
        });

        RabbitMQClientSettings? seen = null;
        builder.AddRabbitMQClient("messaging", s => seen = s);

        Assert.NotNull(seen);
        Assert.Equal("amqp://guest:guest@from-section:5672", seen.ConnectionString);
        Assert.Equal(3, seen.MaxConnectRetryCount);
        Assert.True(seen.DisableTracing);
        Assert.True(seen.DisableAutoActivation);
    }

    [Fact]
    public void Defaults_match_Aspire()
    {
        var settings = new RabbitMQClientSettings();
        Assert.Equal(5, settings.MaxConnectRetryCount);
        Assert.False(settings.DisableHealthChecks);
        Assert.False(settings.DisableTracing);
    }

    [Fact]
    public void ConnectionStrings_entry_wins_and_sets_the_factory_uri()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:messaging"] = "amqp://user:pass@from-connection-strings:5673",
            [$"{Section}:ConnectionString"] = "amqp://guest:guest@from-section:5672",
            [$"{Section}:ConnectionFactory:ClientProvidedName"] = "ai-platform",
        });
        builder.AddRabbitMQClient("messaging");
        using var host = builder.Build();

        var factory = Assert.IsType<ConnectionFactory>(host.Services.GetRequiredService<IConnectionFactory>());
        Assert.Equal("from-connection-strings", factory.HostName);
        Assert.Equal(5673, factory.Port);
        Assert.Equal("user", factory.UserName);
        Assert.Equal("ai-platform", factory.ClientProvidedName);
    }

    [Fact]
    public void Callbacks_run_after_binding_and_their_changes_are_used()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:messaging"] = "amqp://user:pass@from-connection-strings:5673" });
        builder.AddRabbitMQClient("messaging",
            s =>
            {
                Assert.Equal("amqp://user:pass@from-connection-strings:5673", s.ConnectionString);
                s.ConnectionString = "amqp://user:pass@from-callback:5674";
            },
            f =>
            {
                Assert.Equal("from-callback", f.HostName);
                f.VirtualHost = "tenant-a";
            });
        using var host = builder.Build();

        var factory = Assert.IsType<ConnectionFactory>(host.Services.GetRequiredService<IConnectionFactory>());
        Assert.Equal(("from-callback", 5674, "tenant-a"), (factory.HostName, factory.Port, factory.VirtualHost));
    }

    [Fact]
    public void Missing_connection_string_throws_naming_the_key()
    {
        var builder = TestHosts.CreateBuilder();
        builder.AddRabbitMQClient("messaging");
        using var host = builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IConnectionFactory>());
        Assert.Contains("'ConnectionStrings:messaging'", ex.Message);
        Assert.Contains($"'{Section}'", ex.Message);
    }

    [Fact]
    public void Registers_singletons_one_untagged_health_check_and_rabbitmq_sources()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:messaging"] = "amqp://guest:guest@localhost:5672" });
        builder.AddRabbitMQClient("messaging");
        builder.AddRabbitMQClient("messaging");
        using var host = builder.Build();

        var check = Assert.Single(host.Services.HealthChecks());
        Assert.Equal("RabbitMQ.Client", check.Name);
        Assert.Empty(check.Tags);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IConnection) && d.Lifetime == ServiceLifetime.Singleton);
        Assert.Contains(builder.Services, d => d.ServiceType == typeof(IConnectionFactory) && d.Lifetime == ServiceLifetime.Singleton);

        _ = host.Services.GetRequiredService<TracerProvider>();
        using var publisher = new ActivitySource("RabbitMQ.Client.Publisher");
        Assert.True(publisher.HasListeners());
    }

    [Fact]
    public async Task Health_check_reports_unhealthy_instead_of_throwing_when_the_broker_is_unreachable()
    {
        // Port 1 on loopback refuses at once: no broker is involved.
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:messaging"] = "amqp://guest:guest@127.0.0.1:1",
            [$"{Section}:MaxConnectRetryCount"] = "0",
        });
        builder.AddRabbitMQClient("messaging");
        using var host = builder.Build();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["RabbitMQ.Client"].Status);
    }
}
