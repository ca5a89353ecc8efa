using System.Globalization;

namespace AiPlatform.Benchmarks;

/// <summary>
/// <c>--name value</c> and <c>--flag</c> options, read by the benchmark that owns them; anything it never asks
/// for is reported as ignored, so a typo does not pass silently.
/// </summary>
public sealed class BenchmarkArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public bool Help { get; private init; }

    public static BenchmarkArgs Parse(IEnumerable<string> args)
    {
        var list = args.ToList();
        var parsed = new BenchmarkArgs { Help = list.Any(a => a is "-h" or "--help") };
        for (var i = 0; i < list.Count; i++)
        {
            var arg = list[i];
            if (arg is "-h" or "--help")
            {
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"Unexpected argument '{arg}': options look like --name value.");
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=');
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }
            else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = list[++i];
            }

            parsed._options[name] = value;
        }

        return parsed;
    }

    public bool Flag(string name)
    {
        _read.Add(name);
        return _options.TryGetValue(name, out var value) && value is null or "true" or "1" or "yes";
    }

    public int Int(string name, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        var value = Value(name);
        if (value is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ArgumentException($"--{name} must be a whole number between {min} and {max}, not '{value}'.");
        }

        return number;
    }

    public IReadOnlyList<int> IntList(string name, IReadOnlyList<int> defaultValue, int min = 1, int max = int.MaxValue)
    {
        var value = Value(name);
        if (value is null)
        {
            return defaultValue;
        }

        var numbers = new List<int>();
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
            {
                throw new ArgumentException($"--{name} takes a comma-separated list of whole numbers between {min} and {max}, not '{value}'.");
            }

            numbers.Add(number);
        }

        return numbers.Count > 0 ? numbers : throw new ArgumentException($"--{name} needs at least one value.");
    }

    public string? Value(string name)
    {
        _read.Add(name);
        if (!_options.TryGetValue(name, out var value))
        {
            return null;
        }

        return value ?? throw new ArgumentException($"--{name} needs a value.");
    }

    public IEnumerable<string> Unused() => _options.Keys.Where(k => !_read.Contains(k)).Select(k => "--" + k);
}
