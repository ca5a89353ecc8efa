using System.ComponentModel.DataAnnotations;
using AiPlatform.Core.Knowledge.Extraction;

namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>Bound from <c>Knowledge:Documents</c>: how large uploads may be, per kind of file.</summary>
public sealed class DocumentOptions
{
    public const string SectionName = "Knowledge:Documents";

    /// <summary>Room for the multipart boundaries, headers and the other form fields around the file.</summary>
    public const long MultipartOverheadBytes = 1024 * 1024;

    /// <summary>Largest PDF, DOCX, TXT, MD or HTML upload.</summary>
    [Range(1, long.MaxValue)]
    public long MaxDocumentBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Largest CSV or JSON upload.</summary>
    [Range(1, long.MaxValue)]
    public long MaxDataBytes { get; set; } = 100L * 1024 * 1024;

    public long MaxBytesFor(DocumentType type) =>
        type is DocumentType.Csv or DocumentType.Json ? MaxDataBytes : MaxDocumentBytes;

    /// <summary>The request body limit of the upload endpoint: the largest file plus the multipart envelope.</summary>
    public long MaxRequestBytes => Math.Max(MaxDocumentBytes, MaxDataBytes) + MultipartOverheadBytes;
}
