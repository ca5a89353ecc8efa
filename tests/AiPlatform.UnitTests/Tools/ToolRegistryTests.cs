using System.Text.Json;
using AiPlatform.Core.Assistants.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiPlatform.UnitTests.Tools;

public class ToolRegistryTests
{
    private static readonly ToolContext Context = new(ToolTestHost.TenantId, Guid.CreateVersion7(), Guid.CreateVersion7());

    [Fact]
    public void Knows_the_built_in_tools()
    {
        using var host = new ToolTestHost(new());

        Assert.Equal(["current_time", "http_get"], host.Registry.All.Select(t => t.Name).Order());
        Assert.True(host.Registry.Exists("http_get"));
        Assert.False(host.Registry.Exists("HTTP_GET"));
        Assert.False(host.Registry.Exists("knowledge_search"));
    }

    [Fact]
    public void Creates_plugins_only_for_known_names()
    {
        using var host = new ToolTestHost(new());

        var plugins = host.Registry.CreatePlugins(["current_time", "shell_exec", "http_get", "Current_Time"], Context).ToList();

        Assert.Equal(["current_time", "http_get"], plugins.Select(p => p.Name));
    }

    [Fact]
    public void Registering_twice_adds_no_duplicate_tool()
    {
        var services = new ServiceCollection();
        services.AddAssistantTools();
        services.AddAssistantTools();

        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IAssistantTool)));
    }

    [Fact]
    public void The_model_sees_named_and_described_functions()
    {
        using var host = new ToolTestHost(new());
        var kernel = new Kernel();
        kernel.Plugins.AddRange(host.Registry.CreatePlugins(["current_time", "http_get"], Context));

        var functions = kernel.Plugins.GetFunctionsMetadata().ToDictionary(f => $"{f.PluginName}-{f.Name}");
        Assert.Equal(["current_time-now", "http_get-fetch"], functions.Keys.Order());

        var now = functions["current_time-now"];
        Assert.Contains("ISO-8601", now.Description);
        Assert.Empty(now.Parameters); // the CancellationToken is SK's, not the model's

        var fetch = functions["http_get-fetch"];
        Assert.Contains("https://", fetch.Description);
        var url = Assert.Single(fetch.Parameters);
        Assert.Equal("url", url.Name);
        Assert.True(url.IsRequired);
        Assert.Equal(typeof(string), url.ParameterType);
        Assert.Equal("The absolute https:// URL to fetch.", url.Description);
    }

    [Fact]
    public void The_openai_connector_sends_them_as_function_tools()
    {
        using var host = new ToolTestHost(new());
        var fetch = host.Registry.CreatePlugins(["http_get"], Context).Single()[HttpGetTool.FunctionName];

        var tool = fetch.Metadata.ToOpenAIFunction().ToFunctionDefinition(false); // non-strict: the connector's default

        Assert.Equal("http_get-fetch", tool.FunctionName);
        Assert.Equal(fetch.Description, tool.FunctionDescription);
        using var schema = JsonDocument.Parse(tool.FunctionParameters.ToString());
        var url = schema.RootElement.GetProperty("properties").GetProperty("url");
        Assert.Equal("string", url.GetProperty("type").GetString());
        Assert.Equal("The absolute https:// URL to fetch.", url.GetProperty("description").GetString());
        Assert.Equal(["url"], schema.RootElement.GetProperty("required").EnumerateArray().Select(e => e.GetString()));
    }
}
