namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// CSV: the first record names the columns; each further record becomes the line "name1: value1; name2: value2".
/// Every <see cref="RowsPerSection"/> rows make a section headed "Rows a–b", which citations can point to.
/// </summary>
internal sealed class CsvExtractor : IDocumentExtractor
{
    public const int RowsPerSection = 100;

    public DocumentType Type => DocumentType.Csv;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        using var text = ContentStreams.OpenReader(content);
        var records = new CsvRecordReader(text);
        var sections = new SectionBuilder();
        if (await records.ReadAsync(cancellationToken) is not { } header)
        {
            return sections.Build();
        }

        var rows = new List<string>(RowsPerSection);
        var firstRow = 1;
        while (await records.ReadAsync(cancellationToken) is { } record)
        {
            rows.Add(RowText.Format(header, record));
            if (rows.Count == RowsPerSection)
            {
                AddSection(sections, rows, firstRow);
                firstRow += rows.Count;
                rows.Clear();
            }
        }

        if (rows.Count > 0)
        {
            AddSection(sections, rows, firstRow);
        }
        else if (firstRow == 1)
        {
            // Only a header: its names are still the file's text.
            sections.AddLine(RowText.Format(header: null, header));
        }

        return sections.Build();
    }

    private static void AddSection(SectionBuilder sections, List<string> rows, int firstRow)
    {
        sections.StartSection($"Rows {firstRow}–{firstRow + rows.Count - 1}");
        foreach (var row in rows)
        {
            sections.AddLine(row);
        }
    }
}
