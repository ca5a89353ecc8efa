using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.IntegrationTests.Embeddings;

/// <summary>
/// The "openai" kind as the app composes it (ServiceDefaults, AddEmbeddings) against an OpenAI-compatible
/// <c>/v1/embeddings</c> on 127.0.0.1 (<see cref="FakeOpenAiServer"/>), over real HTTP.
/// </summary>
public sealed class OpenAIEmbeddingsTests : IAsyncLifetime
{
    private static readonly Guid Tenant = Guid.CreateVersion7();

    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task A_tenant_on_the_provider_gets_the_servers_vectors()
    {
        using var host = BuildHost(dimensions: 64);

        var selection = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Tenant);
        var generated = await selection.Generator.GenerateAsync(["The keeper lights the lamp.", "ships at night"]);

        Assert.Equal("openai:fake-embed", selection.GeneratorId);
        Assert.Equal(64, selection.Dimensions);
        AssertClose(FakeOpenAiServer.EmbeddingFor("The keeper lights the lamp.", 64), generated[0].Vector);
        AssertClose(FakeOpenAiServer.EmbeddingFor("ships at night", 64), generated[1].Vector);
        var request = Assert.Single(_server.Requests);
        Assert.Equal("/v1/embeddings", request.Path);
        Assert.Equal("Bearer test-key", request.Headers["Authorization"]);
        Assert.Equal("fake-embed", request.Json.GetProperty("model").GetString());
        Assert.False(request.Json.TryGetProperty("dimensions", out _));
    }

    [Fact]
    public async Task Request_dimensions_has_the_server_shorten_its_vectors()
    {
        using var host = BuildHost(dimensions: 16, requestDimensions: true);

        var generator = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Tenant).Generator;
        var vector = await generator.GenerateVectorAsync("ships at night");

        Assert.Equal(16, vector.Length);
        Assert.Equal(16, Assert.Single(_server.Requests).Json.GetProperty("dimensions").GetInt32());
    }

    [Fact]
    public async Task A_server_answering_with_another_length_is_refused()
    {
        using var host = BuildHost(dimensions: 32);

        var generator = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Tenant).Generator;
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => generator.GenerateAsync(["ships at night"]));

        Assert.Contains("64-dimensional", error.Message);
        Assert.Contains("says 32", error.Message);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_once_by_the_standard_resilience_handler()
    {
        _server.EnqueueEmbeddings(FakeReply.Status(503));
        using var host = BuildHost(dimensions: 64);

        var generator = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Tenant).Generator;
        var vector = await generator.GenerateVectorAsync("ships at night");

        AssertClose(FakeOpenAiServer.EmbeddingFor("ships at night", 64), vector);
        Assert.Equal(2, _server.Requests.Count);
    }

    [Fact]
    public void Other_tenants_stay_on_the_local_generator()
    {
        using var host = BuildHost(dimensions: 64);

        var selection = host.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(Guid.CreateVersion7());

        Assert.IsType<LocalEmbeddingGenerator>(selection.Generator);
        Assert.Empty(_server.Requests);
    }

    // The generator scales every vector to unit length again, which may move the last bit.
    private static void AssertClose(float[] expected, ReadOnlyMemory<float> actual) =>
        Assert.All(expected.Zip(actual.ToArray()), pair => Assert.Equal(pair.First, pair.Second, 1e-6));

    private IHost BuildHost(int dimensions, bool requestDimensions = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ApplicationName = "AiPlatform.IntegrationTests",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Embeddings:Providers:0:Name"] = "fake",
            ["Embeddings:Providers:0:Kind"] = "openai",
            ["Embeddings:Providers:0:Endpoint"] = _server.Endpoint.ToString(),
            ["Embeddings:Providers:0:ApiKey"] = "test-key",
            ["Embeddings:Providers:0:Model"] = "fake-embed",
            ["Embeddings:Providers:0:Dimensions"] = dimensions.ToString(),
            ["Embeddings:Providers:0:RequestDimensions"] = requestDimensions.ToString(),
            [$"Embeddings:Tenants:{Tenant}"] = "fake",
        });
        builder.AddServiceDefaults();
        builder.AddEmbeddings();
        return builder.Build();
    }
}
