using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.UnitTests.Tools;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.Embeddings;

public class EmbeddingGeneratorProviderTests
{
    private static readonly Guid OpenAITenant = Guid.CreateVersion7();

    private static readonly Dictionary<string, string?> TwoProviders = new()
    {
        ["Embeddings:Providers:0:Name"] = "openai-small",
        ["Embeddings:Providers:0:Kind"] = "openai",
        ["Embeddings:Providers:0:Endpoint"] = "https://models.example.test/v1",
        ["Embeddings:Providers:0:ApiKey"] = "sk-test",
        ["Embeddings:Providers:0:Model"] = "text-embedding-3-small",
        ["Embeddings:Providers:0:Dimensions"] = "4",
        ["Embeddings:Tenants:" + OpenAITenant] = "openai-small",
    };

    [Fact]
    public void Every_tenant_uses_the_local_generator_by_default()
    {
        using var host = BuildHost([]);

        var selection = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Guid.CreateVersion7());

        Assert.IsType<LocalEmbeddingGenerator>(selection.Generator);
        Assert.Equal("local-glove-100d", selection.GeneratorId);
        Assert.Equal(100, selection.Dimensions);
    }

    [Fact]
    public void A_tenant_entry_picks_its_provider_and_the_others_keep_the_default()
    {
        using var host = BuildHost(TwoProviders);
        var provider = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>();

        var chosen = provider.GetGenerator(OpenAITenant);
        var other = provider.GetGenerator(Guid.CreateVersion7());

        Assert.Equal("openai:text-embedding-3-small", chosen.GeneratorId);
        Assert.Equal(4, chosen.Dimensions);
        Assert.Same(chosen, provider.GetGenerator(OpenAITenant));
        Assert.Equal("local-glove-100d", other.GeneratorId);
    }

    [Fact]
    public void The_default_can_be_a_configured_provider()
    {
        using var host = BuildHost(new(TwoProviders) { ["Embeddings:Default"] = "OpenAI-Small" });

        var selection = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Guid.CreateVersion7());

        Assert.Equal("openai:text-embedding-3-small", selection.GeneratorId);
    }

    [Fact]
    public async Task The_openai_kind_posts_to_the_endpoint_and_returns_unit_vectors_of_the_configured_length()
    {
        string? body = null;
        HttpRequestMessage? seen = null;
        var handler = new FakeHandler(async (request, cancellationToken) =>
        {
            seen = request;
            body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return Embeddings([3, 4, 0, 0], [0, 0, 0, 2]);
        });
        using var host = BuildHost(TwoProviders, handler);

        var selection = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(OpenAITenant);
        var generated = await selection.Generator.GenerateAsync(["first text", "second text"]);

        Assert.Equal(new Uri("https://models.example.test/v1/embeddings"), seen?.RequestUri);
        Assert.Equal("Bearer sk-test", seen?.Headers.Authorization?.ToString());
        var request = JsonNode.Parse(body!)!;
        Assert.Equal("text-embedding-3-small", request["model"]!.GetValue<string>());
        Assert.Equal(["first text", "second text"], request["input"]!.AsArray().Select(i => i!.GetValue<string>()));
        Assert.Null(request["dimensions"]); // only with RequestDimensions
        Assert.Equal([0.6f, 0.8f, 0, 0], generated[0].Vector.ToArray());
        Assert.Equal([0, 0, 0, 1f], generated[1].Vector.ToArray());
        Assert.Single(handler.Requests); // the SDK's own retries are off; the resilience handler has nothing to retry
    }

    [Fact]
    public async Task Request_dimensions_sends_the_configured_length()
    {
        string? body = null;
        var handler = new FakeHandler(async (request, cancellationToken) =>
        {
            body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return Embeddings([1, 0, 0, 0]);
        });
        using var host = BuildHost(new(TwoProviders) { ["Embeddings:Providers:0:RequestDimensions"] = "true" }, handler);

        await host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(OpenAITenant).Generator.GenerateAsync(["text"]);

        Assert.Equal(4, JsonNode.Parse(body!)!["dimensions"]!.GetValue<int>());
    }

    [Fact]
    public async Task An_answer_of_another_length_is_refused()
    {
        using var host = BuildHost(TwoProviders, new FakeHandler(_ => Embeddings([1, 2, 3])));

        var generator = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(OpenAITenant).Generator;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["text"]));

        Assert.Contains("'openai-small'", error.Message);
        Assert.Contains("3-dimensional", error.Message);
        Assert.Contains("says 4", error.Message);
    }

    [Theory]
    [InlineData("Embeddings:Default", "nowhere", "Embeddings:Default 'nowhere' names no provider")]
    [InlineData("Embeddings:Tenants:not-a-guid", "local", "Embeddings:Tenants:not-a-guid is not a tenant id")]
    [InlineData("Embeddings:Tenants:0193a5c4-0000-7000-8000-000000000001", "missing", "'missing' names no provider")]
    [InlineData("Embeddings:Providers:0:Name", "local", "Embeddings:Providers:0:Name must be set, unique and not 'local'")]
    [InlineData("Embeddings:Providers:0:Kind", "cohere", "Embeddings:Providers:0:Kind 'cohere' is unknown")]
    [InlineData("Embeddings:Providers:0:Endpoint", "models.example.test/v1", "Embeddings:Providers:0:Endpoint must be an absolute http(s) address")]
    [InlineData("Embeddings:Providers:0:Model", "", "Embeddings:Providers:0:Model must be set")]
    [InlineData("Embeddings:Providers:0:Dimensions", "0", "Embeddings:Providers:0:Dimensions must be the model's vector length")]
    public async Task A_wrong_configuration_stops_the_start(string key, string value, string message)
    {
        using var host = BuildHost(new(TwoProviders) { [key] = value });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(error.Failures, failure => failure.Contains(message));
    }

    private static IHost BuildHost(Dictionary<string, string?> configuration, HttpMessageHandler? primaryHandler = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ApplicationName = "AiPlatform.UnitTests",
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.AddServiceDefaults();
        builder.AddEmbeddings();
        if (primaryHandler is not null)
        {
            builder.Services.AddHttpClient(EmbeddingsExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        return builder.Build();
    }

    /// <summary>An OpenAI embeddings answer, vectors base64-encoded as the SDK asks for them.</summary>
    private static HttpResponseMessage Embeddings(params float[][] vectors)
    {
        var data = new JsonArray([.. vectors.Select((vector, i) => (JsonNode)new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = i,
            ["embedding"] = Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan())),
        })]);
        var json = new JsonObject
        {
            ["object"] = "list", ["data"] = data, ["model"] = "text-embedding-3-small",
            ["usage"] = new JsonObject { ["prompt_tokens"] = 4, ["total_tokens"] = 4 },
        };
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json") };
    }
}
