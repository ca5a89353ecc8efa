using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.SemanticKernel;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>Tells the model the current date and time, in UTC and in the tenant's time zone.</summary>
public sealed class CurrentTimeTool(ITenantSettingsSource tenantSettings, TimeProvider clock) : IAssistantTool
{
    public const string ToolName = "current_time";
    public const string FunctionName = "now";

    private const string Iso8601 = "yyyy-MM-dd'T'HH:mm:ssK";

    public string Name => ToolName;

    public string Description => "Tells the current date and time.";

    public KernelPlugin CreatePlugin(ToolContext context) =>
        KernelPluginFactory.CreateFromFunctions(Name, Description,
        [
            KernelFunctionFactory.CreateFromMethod(
                (CancellationToken cancellationToken) => NowAsync(context.TenantId, cancellationToken),
                FunctionName,
                "Returns the current date and time as ISO-8601, in UTC and in the workspace's time zone, with the day of the week."),
        ]);

    private async Task<CurrentTime> NowAsync(Guid tenantId, CancellationToken cancellationToken)
    {
        var settings = await tenantSettings.GetAsync(tenantId, cancellationToken);
        // The tenants API only accepts known zones; UTC covers a zone this machine's time zone data lacks.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(settings.Timezone, out var configured) ? configured : TimeZoneInfo.Utc;
        var now = clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return new CurrentTime(
            now.UtcDateTime.ToString(Iso8601, CultureInfo.InvariantCulture),
            local.ToString(Iso8601, CultureInfo.InvariantCulture),
            zone.Id,
            local.DayOfWeek.ToString());
    }
}

/// <summary>What <c>current_time</c> answers; SK hands it to the model as JSON.</summary>
public sealed record CurrentTime(
    [property: JsonPropertyName("utc")] string Utc,
    [property: JsonPropertyName("local")] string Local,
    [property: JsonPropertyName("timeZone")] string TimeZone,
    [property: JsonPropertyName("dayOfWeek")] string DayOfWeek);
