using System.Text;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>Collects paragraphs and rows into sections as an extractor walks a document in reading order.</summary>
internal sealed class SectionBuilder
{
    private readonly List<ExtractedSection> _sections = [];
    private readonly StringBuilder _text = new();
    private string? _heading;
    private int? _page;

    /// <summary>Ends the current section: what follows is under <paramref name="heading"/>, on <paramref name="page"/>.</summary>
    public void StartSection(string? heading, int? page = null)
    {
        Flush();
        _heading = string.IsNullOrWhiteSpace(heading) ? null : heading.Trim();
        _page = page;
    }

    public void AddParagraph(string paragraph) => Append(paragraph, "\n\n");

    /// <summary>Adds a line that belongs with the one before it, like a row of a table.</summary>
    public void AddLine(string line) => Append(line, "\n");

    /// <summary>
    /// Adds a table as one paragraph with a line per row. With a header row, each row reads
    /// "header1: value1; header2: value2", so a row still makes sense when a chunk holds only part of the table.
    /// </summary>
    public void AddTable(IReadOnlyList<IReadOnlyList<string>> rows)
    {
        if (rows.Count == 1)
        {
            AddParagraph(RowText.Format(header: null, rows[0]));
            return;
        }

        var table = new StringBuilder();
        for (var i = 1; i < rows.Count; i++)
        {
            var row = RowText.Format(rows[0], rows[i]);
            if (row.Length > 0)
            {
                table.Append(table.Length > 0 ? "\n" : "").Append(row);
            }
        }

        AddParagraph(table.ToString());
    }

    public ExtractedDocument Build(int? pageCount = null)
    {
        Flush();
        return new ExtractedDocument(_sections, pageCount);
    }

    private void Append(string text, string separator)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return;
        }

        if (_text.Length > 0)
        {
            _text.Append(separator);
        }

        _text.Append(trimmed);
    }

    private void Flush()
    {
        // A heading with nothing under it gives no section: there is no text to chunk.
        if (_text.Length > 0)
        {
            _sections.Add(new ExtractedSection(_text.ToString(), _page, _heading));
            _text.Clear();
        }
    }
}
