using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// Markdown through Markdig: the text without markup, a new section at every heading, code blocks verbatim, pipe
/// tables row by row. Front matter and raw HTML blocks are left out. Markdig refuses nesting deep enough to endanger
/// the recursion here.
/// </summary>
internal sealed class MarkdownExtractor : IDocumentExtractor
{
    // Thread-safe once built; front matter must be recognised or its "---" lines would read as headings.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .Build();

    public DocumentType Type => DocumentType.Md;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var markdown = Markdown.Parse(await ContentStreams.ReadAllAsync(content, cancellationToken), Pipeline);
        var sections = new SectionBuilder();
        AddBlocks(markdown, sections);
        return sections.Build();
    }

    private static void AddBlocks(ContainerBlock container, SectionBuilder sections)
    {
        foreach (var block in container)
        {
            switch (block)
            {
                case HeadingBlock heading:
                    sections.StartSection(TextOf(heading.Inline));
                    break;
                case ParagraphBlock paragraph:
                    sections.AddParagraph(TextOf(paragraph.Inline));
                    break;
                // Front matter is a code block too: match it first.
                case YamlFrontMatterBlock:
                    break;
                case CodeBlock code:
                    sections.AddParagraph(code.Lines.ToString());
                    break;
                case Table table:
                    var rows = table.OfType<TableRow>()
                        .Select(row => (IReadOnlyList<string>)row.OfType<TableCell>()
                            .Select(cell => string.Join(' ', cell.OfType<LeafBlock>().Select(leaf => TextOf(leaf.Inline))))
                            .ToList())
                        .ToList();
                    if (rows.Count > 0)
                    {
                        sections.AddTable(rows);
                    }

                    break;
                // Lists, list items, quotes.
                case ContainerBlock nested:
                    AddBlocks(nested, sections);
                    break;
            }
        }
    }

    private static string TextOf(ContainerInline? inlines)
    {
        var text = new StringBuilder();
        Append(text, inlines);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Inline? inline)
    {
        switch (inline)
        {
            case LiteralInline literal:
                text.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                text.Append(code.Content);
                break;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.AsSpan());
                break;
            case AutolinkInline link:
                text.Append(link.Url);
                break;
            case LineBreakInline lineBreak:
                text.Append(lineBreak.IsHard ? '\n' : ' ');
                break;
            // Emphasis, links (their text), images (their alt text).
            case ContainerInline container:
                foreach (var child in container)
                {
                    Append(text, child);
                }

                break;
        }
    }
}
