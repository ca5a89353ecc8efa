namespace AiPlatform.AppHost.Local;

/// <summary>One row of the resource table: what Aspire's dashboard would show.</summary>
internal sealed record ResourceRow(string Name, string Type, string State, string Endpoint);

internal static class ResourceTable
{
    private static readonly string[] Headers = ["NAME", "TYPE", "STATE", "ENDPOINT"];

    public static string Render(IReadOnlyList<ResourceRow> rows, IEnumerable<string> footer)
    {
        var cells = rows.Select(r => new[] { r.Name, r.Type, r.State, r.Endpoint }).Prepend(Headers).ToList();
        var widths = Enumerable.Range(0, Headers.Length).Select(i => cells.Max(c => c[i].Length)).ToArray();
        var rule = "+" + string.Join("+", widths.Select(w => new string('-', w + 2))) + "+";
        var lines = new List<string> { rule };
        for (var i = 0; i < cells.Count; i++)
        {
            lines.Add("| " + string.Join(" | ", cells[i].Select((c, col) => c.PadRight(widths[col]))) + " |");
            if (i == 0)
            {
                lines.Add(rule);
            }
        }
        lines.Add(rule);
        lines.AddRange(footer);
        return string.Join(System.Environment.NewLine, lines);
    }
}
