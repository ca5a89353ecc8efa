extern alias worker;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>The real Worker in-process, on the test's database and on a broker topology of the test's own.</summary>
/// <param name="settings">More configuration for the test (applied last).</param>
public sealed class WorkerFactory(string connectionString, TestBroker broker, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<worker::Program>
{
    /// <summary>A test Worker's configuration: the database, the broker topology, then <paramref name="settings"/>.</summary>
    public static Dictionary<string, string?> Configuration(
        string connectionString, TestBroker broker, IReadOnlyDictionary<string, string?>? settings)
    {
        var configuration = new Dictionary<string, string?>(broker.Settings)
        {
            ["ConnectionStrings:aiplatformdb"] = connectionString,
            // Small batches and short waits, so a test sees several passes and a quick return after an outage.
            ["OutboxRelay:PollInterval"] = "00:00:00.100",
            ["OutboxRelay:BatchSize"] = "10",
            ["OutboxRelay:MaxBackoff"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }
        return configuration;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Configuration(connectionString, broker, settings))
        {
            builder.UseSetting(key, value);
        }
    }
}
