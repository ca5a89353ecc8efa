namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// Reads the text of one <see cref="DocumentType"/>. Implementations may throw whatever their parser throws on a
/// damaged file; <see cref="DocumentExtractionService"/> turns that into a <see cref="DocumentExtractionException"/>.
/// </summary>
public interface IDocumentExtractor
{
    DocumentType Type { get; }

    /// <summary>Reads <paramref name="content"/> from its current position; the stream is left open.</summary>
    Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken);
}
