using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.ServiceDefaults;

internal static class TestHosts
{
    /// <summary>A builder that sees only the given configuration (no appsettings, no environment variables).</summary>
    public static HostApplicationBuilder CreateBuilder(Dictionary<string, string?>? configuration = null, string environment = "Production")
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = environment,
            ApplicationName = "AiPlatform.UnitTests",
        });
        builder.Configuration.AddInMemoryCollection(configuration ?? []);
        return builder;
    }

    public static IReadOnlyList<HealthCheckRegistration> HealthChecks(this IServiceProvider services) =>
        services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.ToList();
}

/// <summary>Thrown from a configure callback to stop a client factory just before it would open a connection.</summary>
internal sealed class StopBeforeConnectException : Exception;
