using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>
/// The API with one OpenAI-compatible provider, "fake", served by a <see cref="FakeOpenAiServer"/> on loopback, and
/// models priced and sized for the tests. Retries are quick so failure tests stay fast.
/// </summary>
public sealed class ChatApiFactory : ApiFactory
{
    public const string Model = "fake-gpt";
    public const string TinyContextModel = "fake-tiny";
    public const string PriceyModel = "fake-pricey";

    public FakeOpenAiServer Fake { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Fake = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeFixtureAsync()
    {
        await base.DisposeFixtureAsync();
        await Fake.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        UseFakeProvider(builder, Fake);
    }

    /// <summary>Points an API host at <paramref name="fake"/> as the provider "fake" with the test models.</summary>
    public static void UseFakeProvider(IWebHostBuilder builder, FakeOpenAiServer fake)
    {
        builder.UseSetting("AI:Providers:0:Name", "fake");
        builder.UseSetting("AI:Providers:0:Kind", "openai");
        builder.UseSetting("AI:Providers:0:Endpoint", fake.Endpoint.ToString());
        builder.UseSetting("AI:Providers:0:ApiKey", "sk-chat-tests");
        AddModel(builder, 0, Model, contextWindow: 8192, maxOutput: 512, inputCost: 1m, outputCost: 2m);
        AddModel(builder, 1, TinyContextModel, contextWindow: 160, maxOutput: 40, inputCost: 0m, outputCost: 0m);
        AddModel(builder, 2, PriceyModel, contextWindow: 8192, maxOutput: 512, inputCost: 100_000m, outputCost: 100_000m);
        builder.UseSetting("AI:Resilience:AttemptTimeoutSeconds", "5");
        builder.UseSetting("AI:Resilience:TotalTimeoutSeconds", "20");
        builder.UseSetting("AI:Resilience:MaxRetryAttempts", "2");
        builder.UseSetting("AI:Resilience:RetryDelayMs", "20");
        // The failure tests' scripted 5xx must not open the circuit for the tests after them.
        builder.UseSetting("AI:Resilience:CircuitBreakerMinimumThroughput", "1000");
    }

    private static void AddModel(IWebHostBuilder builder, int index, string id, int contextWindow, int maxOutput, decimal inputCost, decimal outputCost)
    {
        var prefix = $"AI:Providers:0:Models:{index}:";
        builder.UseSetting(prefix + "Id", id);
        builder.UseSetting(prefix + "ContextWindow", contextWindow.ToString());
        builder.UseSetting(prefix + "MaxOutputTokens", maxOutput.ToString());
        builder.UseSetting(prefix + "InputCostPer1kTokens", inputCost.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting(prefix + "OutputCostPer1kTokens", outputCost.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting(prefix + "Capabilities:0", "chat");
        builder.UseSetting(prefix + "Capabilities:1", "streaming");
        builder.UseSetting(prefix + "Capabilities:2", "tools");
    }
}
