using System.Net;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.SemanticKernel;

namespace AiPlatform.IntegrationTests.Tools;

public sealed class ToolsIntegrationTests(ToolsHost tools) : IClassFixture<ToolsHost>
{
    private static TenantSettings Allowing(params string[] hosts) => new() { Tools = new ToolSettings { HttpGetAllowedHosts = [.. hosts] } };

    private async Task<string> FetchAsync(Guid tenantId, string url)
    {
        var result = await tools.InvokeAsync(tenantId, HttpGetTool.ToolName, HttpGetTool.FunctionName, new KernelArguments { ["url"] = url });
        return result.GetValue<string>()!;
    }

    [Fact]
    public async Task Http_get_to_an_allow_listed_name_of_a_loopback_server_is_refused_at_connect_time()
    {
        var connections = 0;
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref connections);
                return next(connection);
            })));
        await using var server = builder.Build();
        server.MapGet("/", () => "internal secret");
        await server.StartAsync();
        var port = new Uri(server.Urls.Single()).Port;

        // The server is up: a plain client reaches it.
        using (var direct = new HttpClient())
        {
            Assert.Equal("internal secret", await direct.GetStringAsync($"http://127.0.0.1:{port}/"));
        }

        Assert.Equal(1, connections);

        // "localhost" passes the allow-list; only the connect-time check stands between the model and the server.
        var tenantId = await tools.CreateTenantAsync(Allowing("localhost"));
        var answer = await FetchAsync(tenantId, $"https://localhost:{port}/");

        Assert.StartsWith("http_get refused: localhost resolves to ", answer);
        Assert.Contains("non-public address", answer);
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task Http_get_reads_the_allow_list_of_the_turns_tenant()
    {
        var allowing = await tools.CreateTenantAsync(Allowing("localhost"));
        var other = await tools.CreateTenantAsync(Allowing("docs.example.com"));
        var unconfigured = await tools.CreateTenantAsync(new TenantSettings());

        // Past the allow-list for the first tenant only (and then stopped at connect time: nothing leaves loopback).
        Assert.StartsWith("http_get refused: localhost resolves to ", await FetchAsync(allowing, "https://localhost:1/"));
        Assert.StartsWith("http_get refused: localhost is not on this workspace's allow-list (docs.example.com).",
            await FetchAsync(other, "https://localhost:1/"));
        Assert.StartsWith("http_get refused: this workspace allows no hosts yet", await FetchAsync(unconfigured, "https://localhost:1/"));
    }

    [Fact]
    public async Task Settings_stored_before_tools_existed_read_as_nothing_allowed()
    {
        var tenantId = await tools.CreateTenantAsync(Allowing("localhost"));
        await tools.ExecuteSqlAsync($"UPDATE tenants SET settings = settings - 'Tools' - 'tools' WHERE id = {tenantId}");

        Assert.StartsWith("http_get refused: this workspace allows no hosts yet", await FetchAsync(tenantId, "https://localhost:1/"));
    }

    [Fact]
    public async Task Current_time_answers_in_the_tenants_time_zone()
    {
        var tenantId = await tools.CreateTenantAsync(new TenantSettings { Timezone = "Asia/Kolkata" });

        var result = await tools.InvokeAsync(tenantId, CurrentTimeTool.ToolName, CurrentTimeTool.FunctionName);
        var time = result.GetValue<CurrentTime>()!;

        Assert.Equal("Asia/Kolkata", time.TimeZone);
        Assert.EndsWith("+05:30", time.Local);
        Assert.EndsWith("Z", time.Utc);
        var utc = DateTimeOffset.Parse(time.Utc);
        Assert.Equal(utc, DateTimeOffset.Parse(time.Local));
        Assert.InRange(DateTimeOffset.UtcNow - utc, TimeSpan.FromSeconds(-1), TimeSpan.FromMinutes(1));
    }
}
