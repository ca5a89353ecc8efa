namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>Extracts a document with the <see cref="IDocumentExtractor"/> registered for its type.</summary>
public sealed class DocumentExtractionService
{
    private readonly Dictionary<DocumentType, IDocumentExtractor> _extractors = [];

    public DocumentExtractionService(IEnumerable<IDocumentExtractor> extractors)
    {
        // The last registration for a type wins, so an app can replace a built-in extractor.
        foreach (var extractor in extractors)
        {
            _extractors[extractor.Type] = extractor;
        }
    }

    /// <exception cref="DocumentExtractionException">The content is damaged or holds no text.</exception>
    public async Task<ExtractedDocument> ExtractAsync(
        DocumentType type, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!_extractors.TryGetValue(type, out var extractor))
        {
            throw new NotSupportedException($"No extractor is registered for {type}.");
        }

        ExtractedDocument document;
        try
        {
            document = await extractor.ExtractAsync(content, cancellationToken);
        }
        catch (InsufficientExecutionStackException e)
        {
            throw new DocumentExtractionException($"The {type.Describe()} is nested too deeply to be read.", e);
        }
        catch (Exception e) when (e is not (DocumentExtractionException or OperationCanceledException))
        {
            // Parsers of untrusted files fail in many ways (format, index, cast, XML errors); to the user they all
            // mean the same thing.
            throw new DocumentExtractionException($"The {type.Describe()} could not be read: {e.Message}", e);
        }

        return document.Sections.Count > 0
            ? document
            : throw new DocumentExtractionException($"The {type.Describe()} contains no text to index.");
    }
}
