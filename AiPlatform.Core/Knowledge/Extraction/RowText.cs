using System.Text;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>The text form of a table or CSV row.</summary>
internal static class RowText
{
    /// <summary>
    /// "header1: value1; header2: value2", leaving out empty cells; without a header the cells joined by "; ".
    /// Line breaks inside a cell become spaces so that a row stays one line.
    /// </summary>
    public static string Format(IReadOnlyList<string>? header, IReadOnlyList<string> cells)
    {
        var row = new StringBuilder();
        for (var i = 0; i < cells.Count; i++)
        {
            var value = cells[i].ReplaceLineEndings(" ").Trim();
            if (value.Length == 0)
            {
                continue;
            }

            if (row.Length > 0)
            {
                row.Append("; ");
            }

            if (header is not null)
            {
                var name = i < header.Count ? header[i].ReplaceLineEndings(" ").Trim() : "";
                row.Append(name.Length > 0 ? name : $"Column {i + 1}").Append(": ");
            }

            row.Append(value);
        }

        return row.ToString();
    }
}
