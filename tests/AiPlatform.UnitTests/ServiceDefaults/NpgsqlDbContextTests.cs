using System.Diagnostics;
using Aspire.Npgsql.EntityFrameworkCore.PostgreSQL;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql.EntityFrameworkCore.PostgreSQL;
using OpenTelemetry.Trace;

namespace AiPlatform.UnitTests.ServiceDefaults;

public class NpgsqlDbContextTests
{
    private const string Section = "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL";
    private const string ConnectionString = "Host=from-connection-strings;Database=aiplatformdb;Username=u;Password=p";

    public sealed class TestDbContext(DbContextOptions<TestDbContext> options) : DbContext(options);

    private static RelationalOptionsExtension Relational(IServiceProvider services) =>
        services.GetRequiredService<DbContextOptions<TestDbContext>>().Extensions.OfType<RelationalOptionsExtension>().Single();

    [Fact]
    public void Settings_are_bound_from_section_then_connection_and_context_subsections()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            [$"{Section}:ConnectionString"] = "Host=from-section",
            [$"{Section}:DisableTracing"] = "true",
            [$"{Section}:CommandTimeout"] = "10",
            [$"{Section}:aiplatformdb:DisableMetrics"] = "true",
            [$"{Section}:aiplatformdb:CommandTimeout"] = "20",
            [$"{Section}:{nameof(TestDbContext)}:CommandTimeout"] = "30",
        });

        NpgsqlEntityFrameworkCorePostgreSQLSettings? seen = null;
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb", s => seen = s);

        Assert.NotNull(seen);
        Assert.Equal("Host=from-section", seen.ConnectionString);
        Assert.True(seen.DisableTracing);
        Assert.True(seen.DisableMetrics);
        Assert.Equal(30, seen.CommandTimeout);
        Assert.False(seen.DisableRetry);
        Assert.False(seen.DisableHealthChecks);
    }

    [Fact]
    public void ConnectionStrings_entry_wins_and_retry_and_timeout_are_applied()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:aiplatformdb"] = ConnectionString,
            [$"{Section}:ConnectionString"] = "Host=from-section",
            [$"{Section}:CommandTimeout"] = "42",
        });
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb");
        using var host = builder.Build();

        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        Assert.Equal(ConnectionString, db.Database.GetConnectionString());
        Assert.IsAssignableFrom<NpgsqlRetryingExecutionStrategy>(db.Database.CreateExecutionStrategy());
        Assert.Equal(42, Relational(host.Services).CommandTimeout);
    }

    [Fact]
    public void Callback_runs_after_binding_and_its_changes_are_used()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:aiplatformdb"] = ConnectionString,
            [$"{Section}:CommandTimeout"] = "42",
        });
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb", s =>
        {
            Assert.Equal(42, s.CommandTimeout);
            Assert.Equal(ConnectionString, s.ConnectionString);
            s.CommandTimeout = 7;
            s.DisableRetry = true;
        });
        using var host = builder.Build();

        Assert.Equal(7, Relational(host.Services).CommandTimeout);
        Assert.Null(Relational(host.Services).ExecutionStrategyFactory);
    }

    [Fact]
    public void Missing_connection_string_throws_naming_the_key()
    {
        var builder = TestHosts.CreateBuilder();
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb");
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();

        var ex = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<TestDbContext>());
        Assert.Contains("'ConnectionStrings:aiplatformdb'", ex.Message);
        Assert.Contains($"'{Section}'", ex.Message);
        Assert.Contains($"'{Section}:{nameof(TestDbContext)}'", ex.Message);
    }

    [Fact]
    public void Registers_one_untagged_health_check_named_after_the_context()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:aiplatformdb"] = ConnectionString });
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb");
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb"); // a second call must not duplicate the check
        using var host = builder.Build();

        var check = Assert.Single(host.Services.HealthChecks());
        Assert.Equal(nameof(TestDbContext), check.Name);
        Assert.Empty(check.Tags);
    }

    [Fact]
    public void DisableHealthChecks_registers_none()
    {
        var builder = TestHosts.CreateBuilder(new()
        {
            ["ConnectionStrings:aiplatformdb"] = ConnectionString,
            [$"{Section}:DisableHealthChecks"] = "true",
        });
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb");
        using var host = builder.Build();

        Assert.Empty(host.Services.HealthChecks());
    }

    [Fact]
    public void Tracing_listens_to_the_Npgsql_source()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:aiplatformdb"] = ConnectionString });
        builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb");
        using var host = builder.Build();

        _ = host.Services.GetRequiredService<TracerProvider>();
        using var probe = new ActivitySource("Npgsql");
        Assert.True(probe.HasListeners());
    }

    [Fact]
    public void AddNpgsqlDbContext_refuses_an_already_registered_context_in_development()
    {
        var builder = TestHosts.CreateBuilder(new() { ["ConnectionStrings:aiplatformdb"] = ConnectionString }, Environments.Development);
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(ConnectionString));

        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddNpgsqlDbContext<TestDbContext>("aiplatformdb"));
        Assert.Contains("Enrich", ex.Message);
    }

    [Fact]
    public void Enrich_adds_retry_timeout_and_health_check_to_an_app_registered_context()
    {
        var builder = TestHosts.CreateBuilder(new() { [$"{Section}:{nameof(TestDbContext)}:CommandTimeout"] = "15" });
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(ConnectionString));
        builder.EnrichNpgsqlDbContext<TestDbContext>();
        using var host = builder.Build();

        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        Assert.Equal(ConnectionString, db.Database.GetConnectionString());
        Assert.IsAssignableFrom<NpgsqlRetryingExecutionStrategy>(db.Database.CreateExecutionStrategy());
        Assert.Equal(15, db.Database.GetCommandTimeout());

        var check = Assert.Single(host.Services.HealthChecks());
        Assert.Equal(nameof(TestDbContext), check.Name);
        Assert.Empty(check.Tags);
    }

    [Fact]
    public void Enrich_keeps_the_apps_own_retrying_strategy()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(ConnectionString, n => n.EnableRetryOnFailure(2)));
        builder.EnrichNpgsqlDbContext<TestDbContext>();
        using var host = builder.Build();

        using var scope = host.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TestDbContext>();
        Assert.IsAssignableFrom<NpgsqlRetryingExecutionStrategy>(db.Database.CreateExecutionStrategy());
    }

    [Fact]
    public void Enrich_rejects_a_custom_non_retrying_strategy_unless_retry_is_disabled()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(ConnectionString, n => n.ExecutionStrategy(d => new NoRetryStrategy(d))));
        builder.EnrichNpgsqlDbContext<TestDbContext>();
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();

        var ex = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<TestDbContext>());
        Assert.Contains(nameof(NpgsqlEntityFrameworkCorePostgreSQLSettings.DisableRetry), ex.Message);
    }

    [Fact]
    public void Enrich_rejects_a_conflicting_command_timeout()
    {
        var builder = TestHosts.CreateBuilder();
        builder.Services.AddDbContext<TestDbContext>(o => o.UseNpgsql(ConnectionString, n => n.CommandTimeout(5)));
        builder.EnrichNpgsqlDbContext<TestDbContext>(s => s.CommandTimeout = 6);
        using var host = builder.Build();
        using var scope = host.Services.CreateScope();

        var ex = Assert.Throws<InvalidOperationException>(() => scope.ServiceProvider.GetRequiredService<TestDbContext>());
        Assert.Contains("CommandTimeout", ex.Message);
    }

    [Fact]
    public void Enrich_without_a_registered_context_throws()
    {
        var builder = TestHosts.CreateBuilder();

        var ex = Assert.Throws<InvalidOperationException>(() => builder.EnrichNpgsqlDbContext<TestDbContext>());
        Assert.Contains(nameof(TestDbContext), ex.Message);
    }

    private sealed class NoRetryStrategy(ExecutionStrategyDependencies dependencies) : ExecutionStrategy(dependencies, 0, TimeSpan.Zero)
    {
        protected override bool ShouldRetryOn(Exception exception) => false;
    }
}
