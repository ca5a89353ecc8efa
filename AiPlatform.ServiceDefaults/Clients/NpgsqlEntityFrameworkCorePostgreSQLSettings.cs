namespace Aspire.Npgsql.EntityFrameworkCore.PostgreSQL;

/// <summary>
/// Settings for <c>AddNpgsqlDbContext</c> / <c>EnrichNpgsqlDbContext</c>; same namespace, name and properties as
/// Aspire.Npgsql.EntityFrameworkCore.PostgreSQL 13.1 so swapping in the real package is source compatible.
/// </summary>
public class NpgsqlEntityFrameworkCorePostgreSQLSettings
{
    /// <summary>The PostgreSQL connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Turns off EF Core's retrying execution strategy. Default false.</summary>
    public bool DisableRetry { get; set; }

    /// <summary>Turns off the DbContext health check. Default false.</summary>
    public bool DisableHealthChecks { get; set; }

    /// <summary>Turns off the Npgsql OpenTelemetry tracing. Default false.</summary>
    public bool DisableTracing { get; set; }

    /// <summary>Turns off the Npgsql OpenTelemetry metrics. Default false.</summary>
    public bool DisableMetrics { get; set; }

    /// <summary>Command timeout in seconds; null keeps Npgsql's default.</summary>
    public int? CommandTimeout { get; set; }
}
