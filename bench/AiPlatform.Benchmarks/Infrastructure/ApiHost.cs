using AiPlatform.Core.Knowledge.Search;
using AiPlatform.IntegrationTests.Infrastructure;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>
/// The real API (its own <c>Program</c>: the same pipeline, services and configuration files) in this process, on
/// Kestrel on 127.0.0.1 and a free port, so requests cross a real socket as they do in production; against the real
/// PostgreSQL (a database of its own, migrated on start), Redis and RabbitMQ. Logging is held at Warning so it does not
/// weigh on the figures.
/// </summary>
public sealed class ApiHost : WebApplicationFactory<Program>
{
    public const string Environment = "Production";

    private readonly Dictionary<string, string?> _settings;
    private readonly Action<IServiceCollection>? _configureServices;

    private ApiHost(Dictionary<string, string?> settings, Action<IServiceCollection>? configureServices)
    {
        _settings = settings;
        _configureServices = configureServices;
    }

    public Uri BaseAddress { get; private set; } = null!;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>The connection string the API was given: its database, plus any options the run asked for.</summary>
    public string DatabaseConnectionString { get; private set; } = null!;

    /// <summary>Which vector search the API found (pgvector where its database has the extension).</summary>
    public string VectorPath => Services.GetRequiredService<PgVectorIndex>().IsInUse
        ? "pgvector's HNSW index (Knowledge__Search__VectorIndex=Exact measures the in-memory scan instead)"
        : "exact scan of the in-memory cache (the database has no pgvector, or Knowledge:Search:VectorIndex is Exact)";

    /// <summary>
    /// Creates the database, then starts the API with the common settings plus <paramref name="settings"/>
    /// (configuration keys, e.g. <c>AI:Providers:0:Name</c>), which win over the common ones.
    /// <paramref name="configureServices"/> is for instruments only (e.g. a timing interceptor), never for changing behaviour.
    /// <paramref name="databaseOptions"/> (Npgsql connection-string keywords, <c>Max Auto Prepare=20;SSL Mode=Disable</c>) are
    /// added to the API's connection string: deployment settings to try without touching the product.
    /// </summary>
    public static async Task<ApiHost> StartAsync(
        string purpose, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? configureServices = null,
        string? databaseOptions = null)
    {
        var database = await TestDatabase.CreateAsync($"bench_{purpose}", BenchServers.Postgres);
        try
        {
            var connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString);
            if (!string.IsNullOrWhiteSpace(databaseOptions))
            {
                foreach (var (key, value) in new NpgsqlConnectionStringBuilder(databaseOptions))
                {
                    connectionString[key] = value;
                }
            }

            var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
            {
                ["ConnectionStrings:aiplatformdb"] = connectionString.ConnectionString,
                ["ConnectionStrings:cache"] = BenchServers.Redis,
                ["ConnectionStrings:messaging"] = BenchServers.RabbitMq,
                ["Jwt:SigningKey"] = "benchmark-signing-key-" + Guid.NewGuid().ToString("N"),
                // Long enough for any run: a token that expires mid-run would turn the rest into 401s.
                ["Jwt:AccessTokenLifetime"] = "12:00:00",
                ["Jwt:RefreshTokenLifetime"] = "7.00:00:00",
                ["RateLimiting:KeyPrefix"] = $"aiplatform-bench:{Guid.NewGuid():N}",
                ["RateLimiting:Auth:PermitLimit"] = "100000",
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
                // The migrator's first look at an empty database fails by design and EF logs that as an error; a failing
                // command during the run shows up as a failed request in the figures anyway.
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
                ["Logging:LogLevel:System.Net.Http"] = "Warning",
            };
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }

            var host = new ApiHost(all, configureServices) { Database = database, DatabaseConnectionString = connectionString.ConnectionString };
            host.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
            // Starting the server runs the migrator (a hosted service) before it accepts requests.
            host.StartServer();
            var address = host.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            host.BaseAddress = new Uri(address.TrimEnd('/') + "/");
            return host;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the API, then drops its database.</summary>
    public async Task StopAsync()
    {
        await DisposeAsync();
        await Database.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_configureServices is not null)
        {
            builder.ConfigureServices(_configureServices);
        }
    }
}
