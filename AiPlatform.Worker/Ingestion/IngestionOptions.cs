using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Worker.Ingestion;

/// <summary>Bound from the "Ingestion" configuration section.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Chunks sent to the embedding generator in one call.</summary>
    [Range(1, 2048)]
    public int EmbeddingBatchSize { get; set; } = 128;

    /// <summary>Embedding calls one document keeps in flight; a remote model's latency overlaps this way.</summary>
    [Range(1, 32)]
    public int EmbeddingConcurrency { get; set; } = 4;

    /// <summary>Chunks written by one INSERT statement.</summary>
    [Range(1, 10_000)]
    public int InsertBatchSize { get; set; } = 1000;

    /// <summary>How often, at most, a document's progress is written while it is embedded.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
