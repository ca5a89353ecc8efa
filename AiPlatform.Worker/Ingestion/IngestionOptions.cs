using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Worker.Ingestion;

/// <summary>Bound from the "Ingestion" configuration section.</summary>
public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>The most chunks sent to the embedding generator in one call (of one document or several).</summary>
    [Range(1, 2048)]
    public int EmbeddingBatchSize { get; set; } = 128;

    /// <summary>
    /// Embedding calls the Worker keeps in flight, across all the documents it processes at once (EventBus
    /// ConsumerConcurrency): a remote model's latency overlaps, and one document's extraction and chunking overlap
    /// another's embedding, without ever asking the model for more than this.
    /// </summary>
    [Range(1, 32)]
    public int EmbeddingConcurrency { get; set; } = 4;

    /// <summary>Chunks written by one INSERT statement.</summary>
    [Range(1, 10_000)]
    public int InsertBatchSize { get; set; } = 1000;

    /// <summary>How often, at most, a document's progress is written while it is embedded.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromMilliseconds(250);
}
