using AiPlatform.Core.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.AI;

public class AiOptionsTests
{
    private static Dictionary<string, string?> Provider(int index, string name, string kind = "openai", string? endpoint = "http://127.0.0.1:11434/v1", params string[] models)
    {
        var settings = new Dictionary<string, string?>
        {
            [$"AI:Providers:{index}:Name"] = name,
            [$"AI:Providers:{index}:Kind"] = kind,
            [$"AI:Providers:{index}:Endpoint"] = endpoint,
            [$"AI:Providers:{index}:ApiKey"] = "key",
        };
        for (var i = 0; i < models.Length; i++)
        {
            settings[$"AI:Providers:{index}:Models:{i}:Id"] = models[i];
        }

        return settings;
    }

    private static IHost Build(params Dictionary<string, string?>[] settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        foreach (var layer in settings)
        {
            builder.Configuration.AddInMemoryCollection(layer);
        }
        builder.AddServiceDefaults();
        builder.AddAiModels();
        return builder.Build();
    }

    [Fact]
    public void With_no_configuration_the_catalog_is_the_local_model()
    {
        using var host = Build();

        var catalog = host.Services.GetRequiredService<ModelCatalog>();

        var local = Assert.Single(catalog.Models);
        Assert.Equal(("local", "Offline model (built-in)", "local"), (local.Id, local.Name, local.ProviderName));
        Assert.Equal(["chat", "streaming"], local.Capabilities);
        Assert.Equal(0m, local.InputCostPer1kTokens);
        Assert.Same(local, catalog.Default);
    }

    [Fact]
    public void Lists_configured_models_after_local_with_their_provider()
    {
        using var host = Build(
            Provider(0, "ollama", models: ["llama3", "qwen"]),
            Provider(1, "azure", "azure-openai", "https://x.openai.azure.com/openai/v1", "gpt-4o-deployment"),
            new() { ["AI:DefaultModel"] = "qwen", ["AI:Providers:0:Models:1:Name"] = "Qwen 2.5", ["AI:Providers:0:Models:1:Capabilities:0"] = "chat" });

        var catalog = host.Services.GetRequiredService<ModelCatalog>();

        Assert.Equal(["local", "llama3", "qwen", "gpt-4o-deployment"], catalog.Models.Select(m => m.Id));
        Assert.True(catalog.TryGet("qwen", out var qwen));
        Assert.Equal(("Qwen 2.5", "ollama", "openai"), (qwen.Name, qwen.ProviderName, qwen.ProviderKind));
        Assert.Equal(["chat"], qwen.Capabilities);
        Assert.False(qwen.Supports(ModelCapabilities.Tools));
        Assert.True(catalog.Models[1].Supports(ModelCapabilities.Streaming));
        Assert.Same(qwen, catalog.Default);
        Assert.Equal("llama3", catalog.Models[1].Name);
        Assert.Equal("azure-openai", catalog.Models[3].ProviderKind);
        Assert.False(catalog.TryGet("LLAMA3", out _));
    }

    [Theory]
    [InlineData("Kind", "anthropic", "Kind 'anthropic' is unknown")]
    [InlineData("Endpoint", "", "Endpoint is missing")]
    [InlineData("Endpoint", "ftp://models.example", "Endpoint is missing or not an absolute http(s) URL")]
    [InlineData("Name", "has space", "must be letters, digits")]
    [InlineData("Models:0:Id", "local", "Id 'local' is used by another model")]
    [InlineData("Models:0:MaxOutputTokens", "9000", "must be positive and below ContextWindow")]
    [InlineData("Models:0:Capabilities:0", "vision", "Capabilities must include 'chat'")]
    [InlineData("Models:0:InputCostPer1kTokens", "-1", "costs cannot be negative")]
    public async Task A_bad_provider_stops_the_start_naming_the_problem(string key, string value, string message)
    {
        using var host = Build(Provider(0, "p", models: ["m"]), new() { [$"AI:Providers:0:{key}"] = value });

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(failure.Failures, f => f.Contains(message));
    }

    [Fact]
    public async Task Duplicate_model_ids_across_providers_stop_the_start()
    {
        using var host = Build(Provider(0, "a", models: ["gpt-4o"]), Provider(1, "b", models: ["gpt-4o"]));

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(failure.Failures, f => f.Contains("AI:Providers:1:Models:0:Id 'gpt-4o' is used by another model"));
    }

    [Theory]
    [InlineData("AI:DefaultModel", "gpt-5", "AI:DefaultModel 'gpt-5' is not a configured model")]
    [InlineData("AI:Providers:0:ApiKey", "", "ApiKey is required for an azure-openai provider")]
    [InlineData("AI:Resilience:TotalTimeoutSeconds", "5", "TotalTimeoutSeconds at least as long")]
    [InlineData("AI:Resilience:MaxRetryAttempts", "0", "MaxRetryAttempts must be between 1 and 10")]
    [InlineData("AI:Local:TokenDelayMs", "-5", "TokenDelayMs and costs cannot be negative")]
    public void Other_settings_are_checked_too(string key, string value, string message)
    {
        var options = new AiOptions();
        new ConfigurationBuilder()
            .AddInMemoryCollection(Provider(0, "azure", "azure-openai", "https://x.openai.azure.com/openai/v1", "dep"))
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value, ["AI:Resilience:AttemptTimeoutSeconds"] = "10" })
            .Build().GetSection("AI").Bind(options);

        var result = new AiOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains(message));
    }

    [Fact]
    public void A_provider_without_models_or_a_duplicate_name_is_refused()
    {
        var options = new AiOptions
        {
            Providers =
            [
                new AiProviderOptions { Name = "a", Endpoint = "http://a/v1" },
                new AiProviderOptions { Name = "A", Endpoint = "http://b/v1", Models = [new AiModelOptions { Id = "m" }] },
            ],
        };

        var failures = new AiOptionsValidator().Validate(null, options).Failures!;

        Assert.Contains(failures, f => f.Contains("provider 'a' offers no model"));
        Assert.Contains(failures, f => f.Contains("Name 'A' is used twice"));
    }

    [Fact]
    public async Task A_valid_configuration_starts()
    {
        using var host = Build(Provider(0, "openai", models: ["gpt-4o-mini"]), new() { ["AI:DefaultModel"] = "gpt-4o-mini" });

        await host.StartAsync();
        await host.StopAsync();
    }
}
