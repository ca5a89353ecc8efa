using AiPlatform.Core.Knowledge.Embeddings;

namespace AiPlatform.UnitTests.Embeddings;

public sealed class WordVectorsConverterTests : IDisposable
{
    private readonly SyntheticWordVectors _package = new();

    public void Dispose() => _package.Dispose();

    [Fact]
    public void Every_word_maps_to_its_frequency_rank_and_unit_vector()
    {
        WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath);

        using var vectors = WordVectors.Open(_package.VectorsPath);
        Assert.Equal(SyntheticWordVectors.Dimensions, vectors.Dimensions);
        Assert.Equal(SyntheticWordVectors.Words.Count, vectors.Count);
        var row = new float[vectors.Dimensions];
        for (var i = 0; i < SyntheticWordVectors.Words.Count; i++)
        {
            var word = SyntheticWordVectors.Words[i];
            Assert.True(vectors.TryGetIndex(word, out var index), word);
            Assert.Equal(i, index);
            vectors.CopyVector(index, row);
            VectorAssert.Close(SyntheticWordVectors.UnitVector(word), row);
        }
    }

    [Fact]
    public void The_common_direction_is_the_unit_mean_of_the_vectors_weighted_by_zipf_probability()
    {
        WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath);

        using var vectors = WordVectors.Open(_package.VectorsPath);
        var expected = new double[SyntheticWordVectors.Dimensions];
        var words = SyntheticWordVectors.Words;
        for (var i = 0; i < words.Count; i++)
        {
            var unit = SyntheticWordVectors.UnitVector(words[i]);
            for (var d = 0; d < expected.Length; d++)
            {
                expected[d] += unit[d] / (i + 1.0); // p ∝ 1 / rank
            }
        }

        var norm = Math.Sqrt(expected.Sum(v => v * v));
        VectorAssert.Close(expected.Select(v => (float)(v / norm)).ToArray(), vectors.CommonDirection.ToArray());
    }

    [Theory]
    [InlineData("zebra")]
    [InlineData("")]
    [InlineData("SHIP")] // lookups are exact; the generator lower-cases first
    [InlineData("ship ")]
    [InlineData("an-extraordinarily-long-hyphenated-word-that-no-vocabulary-would-ever-hold")]
    public void Words_outside_the_vocabulary_are_not_found(string word)
    {
        WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath);

        using var vectors = WordVectors.Open(_package.VectorsPath);

        Assert.False(vectors.TryGetIndex(word, out var index));
        Assert.Equal(-1, index);
    }

    [Fact]
    public void Opening_maps_the_vectors_instead_of_reading_them_into_the_heap()
    {
        WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath);
        var vectorBytes = (long)SyntheticWordVectors.Words.Count * SyntheticWordVectors.Dimensions * sizeof(float);

        var before = GC.GetAllocatedBytesForCurrentThread();
        using var vectors = WordVectors.Open(_package.VectorsPath);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Only the lookup index (word table, hash buckets) is read: a fraction of the 1.2 MB of vectors.
        Assert.InRange(allocated, 1, vectorBytes / 8);
        Assert.True(new FileInfo(_package.VectorsPath).Length > vectorBytes);
    }

    [Fact]
    public void Ensure_converted_names_the_fetch_command_when_neither_file_exists()
    {
        File.Delete(_package.PackagePath);

        var error = Assert.Throws<FileNotFoundException>(() => WordVectorsConverter.EnsureConverted(_package.VectorsPath, _package.PackagePath));

        Assert.Contains("eng/embeddings.sh", error.Message);
        Assert.Contains(_package.VectorsPath, error.Message);
        Assert.Contains(_package.PackagePath, error.Message);
    }

    [Fact]
    public void Ensure_converted_converts_once_and_then_leaves_the_file_alone()
    {
        Assert.True(WordVectorsConverter.EnsureConverted(_package.VectorsPath, _package.PackagePath));
        var written = File.GetLastWriteTimeUtc(_package.VectorsPath).AddMinutes(-5);
        File.SetLastWriteTimeUtc(_package.VectorsPath, written);

        Assert.False(WordVectorsConverter.EnsureConverted(_package.VectorsPath, _package.PackagePath));

        Assert.Equal(written, File.GetLastWriteTimeUtc(_package.VectorsPath));
    }

    [Fact]
    public void A_file_of_another_format_or_a_truncated_one_is_converted_again()
    {
        WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath);
        var good = File.ReadAllBytes(_package.VectorsPath);
        File.WriteAllBytes(_package.VectorsPath, good[..(good.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => WordVectors.Open(_package.VectorsPath).Dispose());

        Assert.True(WordVectorsConverter.EnsureConverted(_package.VectorsPath, _package.PackagePath));

        Assert.Equal(good, File.ReadAllBytes(_package.VectorsPath));
    }

    [Fact]
    public async Task Concurrent_first_uses_all_get_a_complete_file()
    {
        var start = new Barrier(4);
        var users = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            var converted = WordVectorsConverter.EnsureConverted(_package.VectorsPath, _package.PackagePath);
            using var vectors = WordVectors.Open(_package.VectorsPath);
            return (Converted: converted, Index: vectors.TryGetIndex("beacon", out var index) ? index : -1);
        }));

        var results = await Task.WhenAll(users);
        Assert.Single(results, result => result.Converted);
        Assert.All(results, result => Assert.Equal(SyntheticWordVectors.IndexOf("beacon"), result.Index));
        Assert.Equal(
            [LocalEmbeddingOptions.PackageFileName, LocalEmbeddingOptions.VectorsFileName, LocalEmbeddingOptions.VectorsFileName + ".lock"],
            Directory.GetFiles(_package.Directory).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_package_without_the_vectors_leaves_no_file_behind()
    {
        SyntheticWordVectors.WritePackage(_package.PackagePath, json: null);

        var error = Assert.Throws<InvalidDataException>(() => WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath));

        Assert.Contains(WordVectorsConverter.JsonEntryName, error.Message);
        Assert.Equal([_package.PackagePath], Directory.GetFiles(_package.Directory));
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("missing vector")]
    [InlineData("no dimensions")]
    public void A_damaged_package_is_refused_and_leaves_no_file_behind(string damage)
    {
        var json = SyntheticWordVectors.PackageJson;
        SyntheticWordVectors.WritePackage(_package.PackagePath, damage switch
        {
            "truncated" => json[..(json.Length * 2 / 3)],
            "missing vector" => json.Replace("\"size\":3000", "\"size\":3001"),
            _ => json.Replace("\"dimensions\":100,", ""),
        });

        Assert.Throws<InvalidDataException>(() => WordVectorsConverter.Convert(_package.PackagePath, _package.VectorsPath));

        Assert.Equal([_package.PackagePath], Directory.GetFiles(_package.Directory));
    }
}
