using System.Runtime.CompilerServices;
using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// HTML through AngleSharp: the body's text without scripts, styles and navigation; a new section at every h1–h6
/// (before the first one, the page title is the heading); block elements as paragraphs; tables row by row.
/// </summary>
internal sealed class HtmlExtractor : IDocumentExtractor
{
    private static readonly HashSet<string> Skipped =
        new(["script", "style", "nav", "noscript", "template", "svg", "head"], StringComparer.Ordinal);

    private static readonly HashSet<string> Headings =
        new(["h1", "h2", "h3", "h4", "h5", "h6"], StringComparer.Ordinal);

    private static readonly HashSet<string> Blocks = new(
        [
            "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "section", "article", "main", "header", "footer", "aside",
            "blockquote", "figure", "figcaption", "address", "details", "summary", "form", "fieldset", "hr",
        ],
        StringComparer.Ordinal);

    public DocumentType Type => DocumentType.Html;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        // AngleSharp picks the encoding itself (byte order mark, then <meta charset>).
        using var document = await new HtmlParser().ParseDocumentAsync(content, cancellationToken);
        return new Walker().Extract(document);
    }

    private sealed class Walker
    {
        private readonly SectionBuilder _sections = new();
        private readonly StringBuilder _paragraph = new();

        public ExtractedDocument Extract(IHtmlDocument document)
        {
            _sections.StartSection(document.Title);
            Walk(document.Body ?? document.DocumentElement);
            EndParagraph();
            return _sections.Build();
        }

        private void Walk(INode node)
        {
            // AngleSharp builds any depth; a stack overflow would end the process rather than fail this document.
            RuntimeHelpers.EnsureSufficientExecutionStack();
            foreach (var child in node.ChildNodes)
            {
                switch (child)
                {
                    case IText text:
                        AppendCollapsed(text.Data);
                        break;
                    case IElement element:
                        Visit(element);
                        break;
                }
            }
        }

        private void Visit(IElement element)
        {
            var name = element.LocalName;
            if (Skipped.Contains(name))
            {
                return;
            }

            if (Headings.Contains(name))
            {
                EndParagraph();
                _sections.StartSection(Collapse(element.TextContent));
            }
            else if (element is IHtmlTableElement table)
            {
                EndParagraph();
                var rows = table.Rows
                    .Select(row => (IReadOnlyList<string>)row.Cells.Select(cell => Collapse(cell.TextContent)).ToList())
                    .Where(row => row.Count > 0)
                    .ToList();
                if (rows.Count > 0)
                {
                    _sections.AddTable(rows);
                }
            }
            else if (name == "pre")
            {
                // Preformatted text keeps its line breaks and indentation.
                EndParagraph();
                _sections.AddParagraph(element.TextContent);
            }
            else if (name == "br")
            {
                _paragraph.Append('\n');
            }
            else if (Blocks.Contains(name))
            {
                EndParagraph();
                Walk(element);
                EndParagraph();
            }
            else
            {
                Walk(element);
            }
        }

        private void EndParagraph()
        {
            _sections.AddParagraph(_paragraph.ToString());
            _paragraph.Clear();
        }

        // HTML whitespace is insignificant: any run of it renders as one space.
        private void AppendCollapsed(string text)
        {
            foreach (var c in text)
            {
                if (!char.IsWhiteSpace(c))
                {
                    _paragraph.Append(c);
                }
                else if (_paragraph.Length > 0 && !char.IsWhiteSpace(_paragraph[^1]))
                {
                    _paragraph.Append(' ');
                }
            }
        }

        private static string Collapse(string text) =>
            string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
