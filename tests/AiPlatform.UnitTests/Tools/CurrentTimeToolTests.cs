using System.Text.Encodings.Web;
using System.Text.Json;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Tenancy;
using Microsoft.SemanticKernel;

namespace AiPlatform.UnitTests.Tools;

public class CurrentTimeToolTests
{
    // A Sunday in winter in Berlin, already Monday in Tokyo.
    private static readonly DateTimeOffset Now = new(2026, 1, 4, 20, 30, 15, TimeSpan.Zero);

    private static async Task<CurrentTime> NowForTenantAsync(string timezone)
    {
        using var host = new ToolTestHost(new TenantSettings { Timezone = timezone }, clock: new FixedClock(Now));
        var function = host.Plugin(CurrentTimeTool.ToolName)[CurrentTimeTool.FunctionName];
        var result = await function.InvokeAsync(new Kernel());
        return result.GetValue<CurrentTime>() ?? throw new InvalidOperationException("current_time returned nothing");
    }

    [Fact]
    public async Task Returns_utc_and_the_tenants_zone_as_iso_8601()
    {
        var time = await NowForTenantAsync("Asia/Tokyo");

        Assert.Equal(new CurrentTime("2026-01-04T20:30:15Z", "2026-01-05T05:30:15+09:00", "Asia/Tokyo", "Monday"), time);
    }

    [Fact]
    public async Task Applies_the_zones_offset_at_that_date()
    {
        var time = await NowForTenantAsync("America/New_York");

        Assert.Equal("2026-01-04T15:30:15-05:00", time.Local);
        Assert.Equal("Sunday", time.DayOfWeek);
    }

    [Fact]
    public async Task Utc_tenants_get_utc_twice()
    {
        var time = await NowForTenantAsync("UTC");

        Assert.Equal("2026-01-04T20:30:15Z", time.Utc);
        Assert.Equal("2026-01-04T20:30:15+00:00", time.Local);
        Assert.Equal("UTC", time.TimeZone);
    }

    [Fact]
    public async Task An_unknown_zone_falls_back_to_utc()
    {
        var time = await NowForTenantAsync("Mars/Olympus_Mons");

        Assert.Equal("UTC", time.TimeZone);
        Assert.Equal("2026-01-04T20:30:15+00:00", time.Local);
    }

    [Fact]
    public async Task Serializes_to_camel_case_json_for_the_model()
    {
        // Automatic function calling hands a non-string result to the model serialized with these options.
        var json = JsonSerializer.Serialize(await NowForTenantAsync("Europe/Berlin"),
            new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

        Assert.Equal(
            """{"utc":"2026-01-04T20:30:15Z","local":"2026-01-04T21:30:15+01:00","timeZone":"Europe/Berlin","dayOfWeek":"Sunday"}""",
            json);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
