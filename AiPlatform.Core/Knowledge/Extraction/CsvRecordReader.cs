using System.Text;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// Reads RFC 4180 records: quoted fields may hold delimiters, doubled quotes and line breaks. The delimiter (comma,
/// semicolon or tab) is taken from the first line, as spreadsheets in many locales export with semicolons.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private static readonly char[] Delimiters = [',', ';', '\t'];
    private char? _delimiter;

    /// <summary>The next record, skipping blank lines; null at the end.</summary>
    public async ValueTask<IReadOnlyList<string>?> ReadAsync(CancellationToken cancellationToken)
    {
        string? line;
        do
        {
            line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return null;
            }
        }
        while (string.IsNullOrWhiteSpace(line));

        var delimiter = _delimiter ??= SniffDelimiter(line);
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        var i = 0;
        while (true)
        {
            if (i == line.Length)
            {
                // A quoted field goes on over the line break; an unterminated one ends with the content.
                if (quoted && await reader.ReadLineAsync(cancellationToken) is { } next)
                {
                    field.Append('\n');
                    line = next;
                    i = 0;
                    continue;
                }

                fields.Add(field.ToString());
                return fields;
            }

            var c = line[i++];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i < line.Length && line[i] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.Length == 0)
            {
                quoted = true;
            }
            else if (c == delimiter)
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
    }

    /// <summary>The candidate that occurs most often outside quotes; a comma if none does.</summary>
    private static char SniffDelimiter(string line)
    {
        var counts = new int[Delimiters.Length];
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && Array.IndexOf(Delimiters, c) is var index and >= 0)
            {
                counts[index]++;
            }
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return Delimiters[best];
    }
}
