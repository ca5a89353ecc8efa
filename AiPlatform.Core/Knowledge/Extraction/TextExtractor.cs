namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>Plain text: one section; the chunker finds its paragraphs (blank lines).</summary>
internal sealed class TextExtractor : IDocumentExtractor
{
    public DocumentType Type => DocumentType.Txt;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var sections = new SectionBuilder();
        sections.AddParagraph(await ContentStreams.ReadAllAsync(content, cancellationToken));
        return sections.Build();
    }
}
