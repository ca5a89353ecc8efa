using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace AiPlatform.UnitTests.ServiceDefaults;

public class ServiceDefaultsExtensionsTests
{
    [Fact]
    public void AddServiceDefaults_registers_self_check_tagged_live()
    {
        var builder = TestHosts.CreateBuilder();
        builder.AddServiceDefaults();
        using var host = builder.Build();

        var check = Assert.Single(host.Services.HealthChecks());
        Assert.Equal("self", check.Name);
        Assert.Equal(["live"], check.Tags);
    }

    [Fact]
    public void AddActivitySources_composes_with_default_tracing()
    {
        var sourceName = $"AiPlatform.Tests.{Guid.NewGuid():N}";
        var builder = TestHosts.CreateBuilder();
        builder.AddServiceDefaults();
        builder.AddActivitySources(sourceName);
        using var host = builder.Build();

        using var source = new ActivitySource(sourceName);
        Assert.False(source.HasListeners());
        _ = host.Services.GetRequiredService<TracerProvider>();
        Assert.True(source.HasListeners());
    }

    [Fact]
    public async Task MapDefaultEndpoints_serves_health_and_alive_outside_development()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddServiceDefaults();
        // An untagged failing check (like a client's) must fail /health but leave /alive alone.
        builder.Services.AddHealthChecks().AddCheck("dependency", () => HealthCheckResult.Unhealthy());

        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

            using var health = await http.GetAsync("/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());

            using var alive = await http.GetAsync("/alive");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            Assert.Equal("Healthy", await alive.Content.ReadAsStringAsync());
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
