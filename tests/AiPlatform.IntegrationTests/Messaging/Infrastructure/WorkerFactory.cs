extern alias worker;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>The real Worker in-process, on the test's database and on a broker topology of the test's own.</summary>
/// <param name="settings">More configuration for the test (applied last).</param>
public sealed class WorkerFactory(string connectionString, TestBroker broker, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<worker::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:aiplatformdb", connectionString);
        foreach (var (key, value) in broker.Settings)
        {
            builder.UseSetting(key, value);
        }
        // Small batches and short waits, so a test sees several passes and a quick return after an outage.
        builder.UseSetting("OutboxRelay:PollInterval", "00:00:00.100");
        builder.UseSetting("OutboxRelay:BatchSize", "10");
        builder.UseSetting("OutboxRelay:MaxBackoff", "00:00:01");
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }
    }
}
