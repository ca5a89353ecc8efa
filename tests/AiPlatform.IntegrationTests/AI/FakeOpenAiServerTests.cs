using System.Net.Http.Json;
using System.Numerics.Tensors;
using System.Text.Json;
using AiPlatform.IntegrationTests.Infrastructure;
using OpenAI;
using OpenAI.Embeddings;

namespace AiPlatform.IntegrationTests.AI;

/// <summary>The fake's embeddings endpoint, which the knowledge tests rely on, read by the real OpenAI SDK and raw.</summary>
public sealed class FakeOpenAiServerTests
{
    [Fact]
    public async Task Embeddings_are_deterministic_and_texts_sharing_words_are_close()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        var client = new EmbeddingClient("fake-embed", new System.ClientModel.ApiKeyCredential("key"), new OpenAIClientOptions { Endpoint = server.Endpoint });

        var result = await client.GenerateEmbeddingsAsync(["vacation days policy", "vacation days policy", "parking garage hours"]);

        var vectors = result.Value.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.All(vectors, v => Assert.Equal(server.EmbeddingDimensions, v.Length));
        Assert.Equal(vectors[0], vectors[1]);
        Assert.Equal(FakeOpenAiServer.EmbeddingFor("vacation days policy", server.EmbeddingDimensions), vectors[0]);
        var close = TensorPrimitives.CosineSimilarity(vectors[0], FakeOpenAiServer.EmbeddingFor("how many vacation days", server.EmbeddingDimensions));
        var far = TensorPrimitives.CosineSimilarity(vectors[0], vectors[2]);
        Assert.True(close > far, $"{close} should exceed {far}");
        Assert.Equal("base64", Assert.Single(server.Requests).Json.GetProperty("encoding_format").GetString());
    }

    [Fact]
    public async Task Embeddings_come_as_floats_with_the_dimensions_asked_for_and_can_fail_on_cue()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.EnqueueEmbeddings(FakeReply.Status(503));
        using var http = new HttpClient();
        var url = $"{server.Endpoint}/embeddings";

        var failed = await http.PostAsJsonAsync(url, new { model = "m", input = "hello" });
        var body = await (await http.PostAsJsonAsync(url, new { model = "m", input = "hello world", dimensions = 8 })).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(503, (int)failed.StatusCode);
        var embedding = Assert.Single(body.GetProperty("data").EnumerateArray()).GetProperty("embedding");
        Assert.Equal(FakeOpenAiServer.EmbeddingFor("hello world", 8), embedding.EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(2, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
    }

    [Fact]
    public async Task Cheap_embeddings_are_deterministic_unit_vectors_in_both_encodings_and_nothing_is_recorded()
    {
        await using var server = await FakeOpenAiServer.StartAsync();
        server.CheapEmbeddings = true;
        var client = new EmbeddingClient("fake-embed", new System.ClientModel.ApiKeyCredential("key"), new OpenAIClientOptions { Endpoint = server.Endpoint });
        using var http = new HttpClient();

        var result = await client.GenerateEmbeddingsAsync(["vacation days policy", "vacation days policy", "parking garage hours"]);
        var body = await (await http.PostAsJsonAsync($"{server.Endpoint}/embeddings", new { model = "m", input = "hello world", dimensions = 8 }))
            .Content.ReadFromJsonAsync<JsonElement>();

        var vectors = result.Value.Select(e => e.ToFloats().ToArray()).ToList();
        Assert.All(vectors, v => Assert.Equal(server.EmbeddingDimensions, v.Length));
        Assert.All(vectors, v => Assert.Equal(1, TensorPrimitives.Norm(v), 4));
        Assert.Equal(vectors[0], vectors[1]);
        Assert.NotEqual(vectors[0], vectors[2]);
        var floats = Assert.Single(body.GetProperty("data").EnumerateArray()).GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray();
        Assert.Equal(8, floats.Length);
        Assert.Equal("m", body.GetProperty("model").GetString());
        Assert.Empty(server.Requests);
    }
}
