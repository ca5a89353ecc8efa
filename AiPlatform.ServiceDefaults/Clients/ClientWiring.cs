using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.ServiceDefaults.Clients;

// The steps every client extension shares, kept in one place so the three clients agree.
internal static class ClientWiring
{
    /// <summary>Binds the section, then each non-empty sub-section on top (later ones win), as the Aspire integrations do.</summary>
    public static TSettings BindSettings<TSettings>(this IConfiguration configuration, string sectionName, params string?[] subsectionNames)
        where TSettings : new()
    {
        var settings = new TSettings();
        var section = configuration.GetSection(sectionName);
        section.Bind(settings);

        foreach (var name in subsectionNames)
        {
            if (!string.IsNullOrEmpty(name))
            {
                section.GetSection(name).Bind(settings);
            }
        }

        return settings;
    }

    /// <summary>Adds the check once per builder, so calling a client extension twice doesn't duplicate it (same rule as Aspire).</summary>
    public static void TryAddHealthCheck(this IHostApplicationBuilder builder, string name, Action<IHealthChecksBuilder> addHealthCheck)
    {
        var key = $"Aspire.HealthChecks.{name}";
        if (builder.Properties.TryAdd(key, true))
        {
            addHealthCheck(builder.Services.AddHealthChecks());
        }
    }

    /// <summary>Aspire's wording, so operators see the same message whichever implementation runs.</summary>
    public static void ThrowIfMissingConnectionString(string? connectionString, string connectionName, string sectionName, string? typeSectionName = null)
    {
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return;
        }

        var sections = typeSectionName is null ? $"'{sectionName}'" : $"'{sectionName}' or '{typeSectionName}'";
        throw new InvalidOperationException(
            $"ConnectionString is missing. It should be provided in 'ConnectionStrings:{connectionName}' or under the 'ConnectionString' key in {sections} configuration section.");
    }
}
