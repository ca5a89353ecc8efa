using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// Word (.docx) through the Open XML SDK: paragraphs in body order, a new section at every heading, tables row by row.
/// </summary>
internal sealed partial class DocxExtractor : IDocumentExtractor
{
    // Far deeper than Word writes (body, table, row, cell, paragraph, run, text, with a few content controls).
    private const int MaxDepth = 256;

    public DocumentType Type => DocumentType.Docx;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var seekable = await ContentStreams.SeekableAsync(content, cancellationToken);
        using var word = WordprocessingDocument.Open(seekable, isEditable: false);
        var main = word.MainDocumentPart
            ?? throw new DocumentExtractionException("The Word document has no main document part.");
        CheckDepth(main);
        var body = main.Document?.Body
            ?? throw new DocumentExtractionException("The Word document has no body.");

        var headingStyles = HeadingStyleIds(main.StyleDefinitionsPart);
        var sections = new SectionBuilder();
        AddBlocks(body, sections, headingStyles, cancellationToken);
        return sections.Build();
    }

    /// <summary>
    /// Refuses markup nested deeper than <see cref="MaxDepth"/> before the SDK loads it: the SDK loads elements
    /// recursively, and a crafted document nested deeply enough overflows the stack, which ends the process.
    /// </summary>
    private static void CheckDepth(MainDocumentPart main)
    {
        using var stream = main.GetStream(FileMode.Open, FileAccess.Read);
        using var xml = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit });
        while (xml.Read())
        {
            if (xml.Depth > MaxDepth)
            {
                throw new DocumentExtractionException("The Word document is nested too deeply to be read.");
            }
        }
    }

    private static void AddBlocks(
        OpenXmlElement container, SectionBuilder sections, HashSet<string> headingStyles, CancellationToken cancellationToken)
    {
        foreach (var element in container.ChildElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (element)
            {
                case Paragraph paragraph when IsHeading(paragraph, headingStyles):
                    sections.StartSection(TextOf(paragraph));
                    break;
                case Paragraph paragraph:
                    sections.AddParagraph(TextOf(paragraph));
                    break;
                case Table table:
                    var rows = table.Elements<TableRow>()
                        .Select(row => (IReadOnlyList<string>)row.Elements<TableCell>()
                            .Select(cell => string.Join(' ', cell.Elements<Paragraph>().Select(TextOf)))
                            .ToList())
                        .ToList();
                    if (rows.Count > 0)
                    {
                        sections.AddTable(rows);
                    }

                    break;
                // Content controls and custom XML wrap ordinary paragraphs and tables.
                case SdtBlock { SdtContentBlock: { } controlContent }:
                    AddBlocks(controlContent, sections, headingStyles, cancellationToken);
                    break;
                case CustomXmlBlock:
                    AddBlocks(element, sections, headingStyles, cancellationToken);
                    break;
            }
        }
    }

    private static bool IsHeading(Paragraph paragraph, HashSet<string> headingStyles)
    {
        var properties = paragraph.ParagraphProperties;
        return properties?.ParagraphStyleId?.Val?.Value is { } styleId && headingStyles.Contains(styleId)
            || properties?.OutlineLevel?.Val?.Value is < 9;
    }

    /// <summary>
    /// The ids of the heading styles. Ids are localised (a German Word writes "berschrift1") but the built-in names
    /// in styles.xml are not ("heading 1"); a document without a styles part still uses Word's own ids.
    /// </summary>
    private static HashSet<string> HeadingStyleIds(StyleDefinitionsPart? styles)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Title" };
        for (var level = 1; level <= 9; level++)
        {
            ids.Add($"Heading{level}");
        }

        foreach (var style in styles?.Styles?.Elements<Style>() ?? [])
        {
            if (style.StyleId?.Value is { } id && style.StyleName?.Val?.Value is { } name && HeadingStyleName().IsMatch(name))
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static string TextOf(Paragraph paragraph)
    {
        var text = new StringBuilder();
        AppendText(text, paragraph);
        return text.ToString();
    }

    private static void AppendText(StringBuilder text, OpenXmlElement element)
    {
        foreach (var child in element.ChildElements)
        {
            switch (child)
            {
                // Text, not DeletedText: tracked deletions are not part of the document.
                case Text run:
                    text.Append(run.Text);
                    break;
                case TabChar:
                    text.Append('\t');
                    break;
                case Break or CarriageReturn:
                    text.Append('\n');
                    break;
                // Drawings such as text boxes hold their text twice, the second time for readers of old formats.
                case AlternateContentFallback:
                    break;
                default:
                    AppendText(text, child);
                    break;
            }
        }
    }

    [GeneratedRegex("^(heading [1-9]|title)$", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingStyleName();
}
