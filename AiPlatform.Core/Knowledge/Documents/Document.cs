using AiPlatform.Core.Common;
using AiPlatform.Core.Knowledge.Extraction;

namespace AiPlatform.Core.Knowledge.Documents;

public enum DocumentStatus
{
    Uploaded,
    Processing,
    Processed,
    Error,
}

/// <summary>
/// An uploaded file of the tenant's knowledge base. The original bytes live in the <see cref="IBlobStore"/> under
/// <see cref="BlobId"/>; <see cref="Version"/> rises on every (re)processing request, so the pipeline can tell a stale
/// job from the current one.
/// </summary>
public sealed class Document : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid UploadedByUserId { get; init; }
    public required string FileName { get; set; }
    public DocumentType Type { get; set; }
    public required string ContentType { get; set; }
    public long Size { get; set; }

    /// <summary>Lower-case hex SHA-256 of the original bytes.</summary>
    public required string Sha256 { get; set; }

    public Guid BlobId { get; init; }
    public DocumentStatus Status { get; set; } = DocumentStatus.Uploaded;
    public int Version { get; set; } = 1;
    public int ChunkSize { get; set; }
    public int Overlap { get; set; }
    public int ChunkCount { get; set; }
    public int? PageCount { get; set; }
    public int ProgressDone { get; set; }
    public int ProgressTotal { get; set; }
    public long? ProcessingTimeMs { get; set; }
    public string? Error { get; set; }

    /// <summary>The free-form JSON object sent with the upload (jsonb); "{}" when none.</summary>
    public string Metadata { get; set; } = "{}";

    public List<Guid> AssistantIds { get; set; } = [];
    public DateTime UploadedAt { get; init; }
    public DateTime? ProcessedAt { get; set; }

    /// <summary>Queues the document for (re)processing with new chunking settings: a new version, progress reset.</summary>
    public void RequestProcessing(int chunkSize, int overlap)
    {
        Version++;
        ChunkSize = chunkSize;
        Overlap = overlap;
        Status = DocumentStatus.Uploaded;
        ProgressDone = 0;
        ProgressTotal = 0;
        Error = null;
    }
}

public static class DocumentLimits
{
    public const int FileNameLength = 255;
    public const int ContentTypeLength = 200;
    public const int ErrorLength = 2000;
    public const int MetadataBytes = 16 * 1024;
    public const int MaxAssistants = 50;
}
