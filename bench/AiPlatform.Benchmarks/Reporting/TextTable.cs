using System.Globalization;
using System.Text;

namespace AiPlatform.Benchmarks.Reporting;

/// <summary>A plain-text table: the first column left-aligned, numbers right-aligned, widths to fit.</summary>
public sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public TextTable Row(params object?[] cells)
    {
        _rows.Add(cells.Select(Format).ToArray());
        return this;
    }

    /// <summary>A horizontal rule between groups of rows.</summary>
    public TextTable Rule()
    {
        _rows.Add([]);
        return this;
    }

    public static string Ms(double value) => double.IsNaN(value) ? "-" : value.ToString("0.00", CultureInfo.InvariantCulture);

    public static string SignedMs(double value) => double.IsNaN(value) ? "-" : value.ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);

    public override string ToString()
    {
        var columns = headers.Length;
        var widths = Enumerable.Range(0, columns)
            .Select(i => _rows.Where(r => r.Length > i).Select(r => r[i].Length).Append(headers[i].Length).Max())
            .ToArray();
        var text = new StringBuilder();
        Line(text, headers, widths);
        text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in _rows)
        {
            if (row.Length == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
            else
            {
                Line(text, row, widths);
            }
        }

        return text.ToString();
    }

    private static void Line(StringBuilder text, string[] cells, int[] widths)
    {
        for (var i = 0; i < widths.Length; i++)
        {
            var cell = i < cells.Length ? cells[i] : "";
            if (i > 0)
            {
                text.Append("  ");
            }

            text.Append(i == 0 || !LooksNumeric(cell) ? cell.PadRight(widths[i]) : cell.PadLeft(widths[i]));
        }

        text.Length = text.ToString().TrimEnd().Length;
        text.AppendLine();
    }

    private static bool LooksNumeric(string cell) =>
        cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] is '+' or '-' or '.' || cell.EndsWith('%'));

    private static string Format(object? cell) => cell switch
    {
        null => "",
        double d => Ms(d),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}
