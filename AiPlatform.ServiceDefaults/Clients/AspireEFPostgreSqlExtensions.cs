using AiPlatform.ServiceDefaults.Clients;
using Aspire.Npgsql.EntityFrameworkCore.PostgreSQL;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Npgsql.EntityFrameworkCore.PostgreSQL;
using Npgsql.EntityFrameworkCore.PostgreSQL.Storage.Internal;

namespace Microsoft.Extensions.Hosting;

/// <summary>Stand-in for Aspire.Npgsql.EntityFrameworkCore.PostgreSQL 13.1 (same method names, parameters and behaviour).</summary>
public static class AspireEFPostgreSqlExtensions
{
    private const string DefaultConfigSectionName = "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL";

    /// <summary>
    /// Registers <typeparamref name="TContext"/> as a pooled DbContext on PostgreSQL with retries, a health check, tracing and metrics.
    /// Settings come from "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL", then its ":{connectionName}" and ":{typeof(TContext).Name}"
    /// sub-sections; "ConnectionStrings:{connectionName}" wins over any ConnectionString there.
    /// </summary>
    public static void AddNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlEntityFrameworkCorePostgreSQLSettings>? configureSettings = null,
        Action<DbContextOptionsBuilder>? configureDbContextOptions = null) where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(connectionName);
        EnsureNotRegisteredInDevelopment<TContext>(builder);

        var settings = builder.Configuration.BindSettings<NpgsqlEntityFrameworkCorePostgreSQLSettings>(
            DefaultConfigSectionName, connectionName, typeof(TContext).Name);
        if (builder.Configuration.GetConnectionString(connectionName) is string connectionString)
        {
            settings.ConnectionString = connectionString;
        }
        configureSettings?.Invoke(settings);

        builder.Services.AddDbContextPool<TContext>(options =>
        {
            // Checked when the context is first resolved, not at registration (as Aspire does): logging is up by
            // then, and EF design-time tools can build the model without a connection string.
            if (!EF.IsDesignTime)
            {
                ClientWiring.ThrowIfMissingConnectionString(settings.ConnectionString, connectionName,
                    DefaultConfigSectionName, $"{DefaultConfigSectionName}:{typeof(TContext).Name}");
            }

            options.UseNpgsql(settings.ConnectionString, npgsql =>
            {
                if (!settings.DisableRetry)
                {
                    npgsql.EnableRetryOnFailure();
                }
                if (settings.CommandTimeout.HasValue)
                {
                    npgsql.CommandTimeout(settings.CommandTimeout.Value);
                }
            });
            configureDbContextOptions?.Invoke(options);
        });

        AddInstrumentation<TContext>(builder, settings);
    }

    /// <summary>
    /// Adds retries, command timeout, health check, tracing and metrics to a <typeparamref name="TContext"/> the app registered
    /// itself (e.g. a non-pooled AddDbContext whose options depend on the request). Settings come from
    /// "Aspire:Npgsql:EntityFrameworkCore:PostgreSQL" and its ":{typeof(TContext).Name}" sub-section.
    /// </summary>
    public static void EnrichNpgsqlDbContext<TContext>(
        this IHostApplicationBuilder builder,
        Action<NpgsqlEntityFrameworkCorePostgreSQLSettings>? configureSettings = null) where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(builder);

        var settings = builder.Configuration.BindSettings<NpgsqlEntityFrameworkCorePostgreSQLSettings>(
            DefaultConfigSectionName, typeof(TContext).Name);
        configureSettings?.Invoke(settings);

        if (!settings.DisableRetry || settings.CommandTimeout.HasValue)
        {
            if (!builder.Services.Any(d => d.ServiceType == typeof(DbContextOptions<TContext>)))
            {
                throw new InvalidOperationException(
                    $"DbContext<{typeof(TContext).Name}> was not registered. Ensure you have registered the DbContext in DI before calling {nameof(EnrichNpgsqlDbContext)}.");
            }

            // EF Core 9+ applies ConfigureDbContext after the app's own AddDbContext options, so we can see what the app chose.
            builder.Services.ConfigureDbContext<TContext>(options => options.UseNpgsql(npgsql =>
            {
                var relational = options.Options.Extensions.OfType<RelationalOptionsExtension>().FirstOrDefault();
                if (!settings.DisableRetry && !HasRetryingStrategy(relational, options.Options))
                {
                    npgsql.EnableRetryOnFailure();
                }
                if (settings.CommandTimeout.HasValue)
                {
                    if (relational?.CommandTimeout is int appTimeout && appTimeout != settings.CommandTimeout)
                    {
                        throw new InvalidOperationException(
                            $"Conflicting values for 'CommandTimeout' were found in {nameof(NpgsqlEntityFrameworkCorePostgreSQLSettings)} and set in DbContextOptions<{typeof(TContext).Name}>.");
                    }
                    npgsql.CommandTimeout(settings.CommandTimeout);
                }
            }));
        }

        AddInstrumentation<TContext>(builder, settings);
    }

    // Same rule as Aspire: keep an app's retrying strategy; refuse to silently replace any other custom strategy.
    private static bool HasRetryingStrategy(RelationalOptionsExtension? relational, IDbContextOptions options)
    {
        if (relational?.ExecutionStrategyFactory is not { } factory)
        {
            return false;
        }

#pragma warning disable EF1001 // Provider-internal types: building the strategy is the only way to see what the app configured.
        var strategy = factory(new ExecutionStrategyDependencies(null!, options, null!));
        if (strategy is NpgsqlRetryingExecutionStrategy)
        {
            return true;
        }
        if (strategy.GetType() == typeof(NpgsqlExecutionStrategy))
        {
            return false; // Npgsql's plain default: safe to upgrade to retries.
        }
#pragma warning restore EF1001

        throw new InvalidOperationException(
            $"{nameof(NpgsqlEntityFrameworkCorePostgreSQLSettings)}.{nameof(NpgsqlEntityFrameworkCorePostgreSQLSettings.DisableRetry)} needs to be set when a custom Execution Strategy is configured.");
    }

    private static void AddInstrumentation<TContext>(IHostApplicationBuilder builder, NpgsqlEntityFrameworkCorePostgreSQLSettings settings)
        where TContext : DbContext
    {
        if (!settings.DisableHealthChecks)
        {
            var name = typeof(TContext).Name;
            builder.TryAddHealthCheck(name, checks => checks.AddDbContextCheck<TContext>(name));
        }

        if (!settings.DisableTracing)
        {
            // Npgsql traces the real database calls ("Npgsql" source), so EF-level instrumentation would only duplicate them.
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());
        }

        if (!settings.DisableMetrics)
        {
            // Npgsql 10 attaches seconds-based bucket advice to its histograms, so Aspire's explicit views
            // (written for Npgsql 8/9 instrument names) aren't needed.
            builder.AddMeters("Npgsql");
        }
    }

    // Aspire refuses this combination in Development: the app's own registration would silently win over ours.
    private static void EnsureNotRegisteredInDevelopment<TContext>(IHostApplicationBuilder builder) where TContext : DbContext
    {
        if (builder.Environment.IsDevelopment() && builder.Services.Any(d => d.ServiceType == typeof(DbContextOptions<TContext>)))
        {
            throw new InvalidOperationException(
                $"DbContext<{typeof(TContext).Name}> is already registered. Please ensure 'services.AddDbContext<{typeof(TContext).Name}>()' is not used when calling '{nameof(AddNpgsqlDbContext)}()' or use the corresponding 'Enrich' method.");
        }
    }
}
