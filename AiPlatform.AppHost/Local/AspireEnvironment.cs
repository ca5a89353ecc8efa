namespace AiPlatform.AppHost.Local;

/// <summary>A service the AppHost runs, with what it references (as in AspireHost.cs).</summary>
internal sealed record ServiceDefinition(string Name, string ProjectName, string[] Stores, string[] Services, bool GetsSecrets = false);

/// <summary>
/// The environment Aspire 13.1 gives a project resource in run mode, reproduced for local mode:
/// ProjectResourceBuilderExtensions (OTEL_* defaults, ASPNETCORE_URLS), ConsoleLogsConfigurationExtensions,
/// WithReference(store) (ConnectionStrings__{name} + {NAME}_{PROPERTY}), WithReference(project)
/// (services__{name}__{scheme}__0 + {NAME}_{SCHEME}), the launch profile's environment, and our WithEnvironment calls.
/// </summary>
internal static class AspireEnvironment
{
    /// <summary>
    /// Inherited variables that are not the services' business: ports that would fight ASPNETCORE_URLS, and what the
    /// AppHost's own launch profile (Properties/launchSettings.json, for Aspire mode) gave the AppHost.
    /// </summary>
    public static readonly string[] Removed =
    [
        "HTTP_PORTS", "HTTPS_PORTS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_LAUNCH_PROFILE",
        "ASPIRE_ALLOW_UNSECURED_TRANSPORT", "ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL", "ASPIRE_DASHBOARD_MCP_ENDPOINT_URL",
        "ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL",
    ];

    public static SortedDictionary<string, string> For(ServiceDefinition service, LocalOptions options, MachineSecrets secrets)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["OTEL_SERVICE_NAME"] = service.Name,
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EXCEPTION_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_EMIT_EVENT_LOG_ATTRIBUTES"] = "true",
            ["OTEL_DOTNET_EXPERIMENTAL_OTLP_RETRY"] = "in_memory",
            ["LOGGING__CONSOLE__FORMATTERNAME"] = "simple",
            ["ASPNETCORE_URLS"] = options.Urls.Get(service.Name).GetLeftPart(UriPartial.Authority),
            ["ASPNETCORE_ENVIRONMENT"] = options.Environment,
            ["DOTNET_ENVIRONMENT"] = options.Environment,
        };
        if (options.Environment == "Development")
        {
            env["OTEL_DOTNET_EXPERIMENTAL_ASPNETCORE_DISABLE_URL_QUERY_REDACTION"] = "true";
            env["OTEL_DOTNET_EXPERIMENTAL_HTTPCLIENT_DISABLE_URL_QUERY_REDACTION"] = "true";
        }
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint))
        {
            env["OTEL_EXPORTER_OTLP_ENDPOINT"] = options.OtlpEndpoint;
        }
        if (!Console.IsOutputRedirected)
        {
            env["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "true";
        }

        foreach (var store in service.Stores)
        {
            var connectionString = options.ConnectionStrings.Get(store);
            env[$"ConnectionStrings__{store}"] = connectionString;
            foreach (var (key, value) in StoreConnection.AspireProperties(store, connectionString))
            {
                env[key] = value;
            }
        }

        foreach (var referenced in service.Services)
        {
            var url = options.Urls.Get(referenced);
            env[$"services__{referenced}__{url.Scheme}__0"] = url.GetLeftPart(UriPartial.Authority);
            env[$"{referenced.ToUpperInvariant()}_{url.Scheme.ToUpperInvariant()}"] = url.GetLeftPart(UriPartial.Authority);
        }

        if (service.GetsSecrets)
        {
            env["Jwt__SigningKey"] = secrets.JwtSigningKey();
            env["Seed__AdminEmail"] = options.AdminEmail;
            env["Seed__AdminPassword"] = secrets.AdminPassword();
        }
        return env;
    }
}
