using AiPlatform.Core.Knowledge.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.Embeddings;

public sealed class LocalEmbeddingGeneratorTests(SyntheticWordVectors package) : IClassFixture<SyntheticWordVectors>, IDisposable
{
    private readonly LocalEmbeddingGenerator _generator = package.CreateGenerator();

    public void Dispose() => _generator.Dispose();

    [Fact]
    public async Task A_text_is_the_sif_weighted_sum_of_its_word_vectors_without_the_common_direction_normalised()
    {
        var actual = await _generator.GenerateVectorAsync("ship night cake");

        // SIF: a / (a + p(w)), p(w) = 1 / (rank · H(N)) by Zipf's law.
        var harmonic = Enumerable.Range(1, SyntheticWordVectors.Words.Count).Sum(k => 1.0 / k);
        var sum = new double[SyntheticWordVectors.Dimensions];
        foreach (var word in new[] { "ship", "night", "cake" })
        {
            var p = 1 / ((SyntheticWordVectors.IndexOf(word) + 1) * harmonic);
            var weight = 1e-3 / (1e-3 + p);
            var unit = SyntheticWordVectors.UnitVector(word);
            for (var d = 0; d < sum.Length; d++)
            {
                sum[d] += weight * unit[d];
            }
        }

        float[] common;
        using (var vectors = WordVectors.Open(package.VectorsPath))
        {
            common = vectors.CommonDirection.ToArray();
        }

        var along = sum.Zip(common, (s, c) => s * c).Sum();
        var expected = sum.Select((s, d) => s - along * common[d]).ToArray();
        var norm = Math.Sqrt(expected.Sum(v => v * v));
        VectorAssert.Close(expected.Select(v => (float)(v / norm)).ToArray(), actual.Span);
    }

    [Fact]
    public async Task Frequent_words_weigh_less_than_rare_ones()
    {
        // "ship" (rank 4) and "beacon" (rank 11) with unit vectors of their own: the sum leans to the rarer word.
        var mixed = await _generator.GenerateVectorAsync("ship beacon");
        var ship = await _generator.GenerateVectorAsync("ship");
        var beacon = await _generator.GenerateVectorAsync("beacon");

        Assert.True(Dot(mixed, beacon) > Dot(mixed, ship), $"{Dot(mixed, beacon)} vs {Dot(mixed, ship)}");
    }

    [Theory]
    [InlineData("the ship of the night", "ship night")]
    [InlineData("SHIP, Night!", "ship night")]
    [InlineData("ship xyzzy night 1984", "ship night")]
    [InlineData("Café", "cafe")]
    [InlineData("ship-night", "ship night")] // a compound the vocabulary lacks counts as its parts
    [InlineData("don't ship", "ship")] // contractions split into stop words
    public async Task Stop_words_case_accents_punctuation_and_unknown_words_do_not_matter(string text, string same)
    {
        var vectors = await _generator.GenerateAsync([text, same]);

        Assert.Equal(vectors[1].Vector.ToArray(), vectors[0].Vector.ToArray());
    }

    [Fact]
    public async Task A_hyphenated_word_of_the_vocabulary_is_one_word()
    {
        var vectors = await _generator.GenerateAsync(["well-known", "well known"]);

        Assert.NotEqual(vectors[1].Vector.ToArray(), vectors[0].Vector.ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("the of and")]
    [InlineData("xyzzy 1984 !!!")]
    public async Task A_text_without_known_content_words_gives_the_zero_vector(string text)
    {
        var vector = await _generator.GenerateVectorAsync(text);

        Assert.Equal(new float[LocalEmbeddingGenerator.Dimensions], vector.ToArray());
    }

    [Fact]
    public async Task Vectors_have_unit_length()
    {
        var vector = await _generator.GenerateVectorAsync("the beacon of the ship at night");

        Assert.Equal(1, Math.Sqrt(Dot(vector, vector)), 5);
    }

    [Fact]
    public async Task A_batch_gives_the_same_vectors_as_single_calls_in_order_and_runs_are_deterministic()
    {
        // Enough texts for the parallel path.
        var texts = Enumerable.Range(0, 150).Select(i => $"{SyntheticWordVectors.Words[3 + i % 10]} filler{100 + i} night").ToArray();

        var batch = await _generator.GenerateAsync(texts);
        using var other = package.CreateGenerator();
        var again = await other.GenerateAsync(texts);

        Assert.Equal(texts.Length, batch.Count);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = await _generator.GenerateVectorAsync(texts[i]);
            Assert.Equal(single.ToArray(), batch[i].Vector.ToArray());
            Assert.Equal(again[i].Vector.ToArray(), batch[i].Vector.ToArray());
        }
    }

    [Fact]
    public async Task Embeddings_and_metadata_name_the_model_and_its_dimensions()
    {
        var generated = await _generator.GenerateAsync(["ship", "the cake"]);

        Assert.All(generated, embedding =>
        {
            Assert.Equal("local-glove-100d", embedding.ModelId);
            Assert.Equal(100, embedding.Dimensions);
        });
        Assert.Equal(3, generated.Usage?.InputTokenCount);
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("local", metadata.ProviderName);
        Assert.Equal("local-glove-100d", metadata.DefaultModelId);
        Assert.Equal(100, metadata.DefaultModelDimensions);
    }

    [Fact]
    public async Task Other_dimensions_are_refused()
    {
        await Assert.ThrowsAsync<NotSupportedException>(() =>
            _generator.GenerateAsync(["ship"], new EmbeddingGenerationOptions { Dimensions = 50 }));
    }

    [Fact]
    public async Task Missing_vectors_are_reported_with_the_command_that_fetches_them()
    {
        var nowhere = Path.Combine(package.Directory, "absent");
        using var generator = new LocalEmbeddingGenerator(Options.Create(new LocalEmbeddingOptions
        {
            VectorsPath = Path.Combine(nowhere, "vectors.wvec"),
            PackagePath = Path.Combine(nowhere, "package.tgz"),
        }), NullLogger<LocalEmbeddingGenerator>.Instance);

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => generator.GenerateAsync(["ship"]));

        Assert.Contains("eng/embeddings.sh", error.Message);
    }

    private static double Dot(ReadOnlyMemory<float> a, ReadOnlyMemory<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Dot(a.Span, b.Span);
}
