namespace AiPlatform.AppHost.Local;

/// <summary>
/// The AppHost's console: service lines prefixed with their resource name (<c>[api] …</c>), the AppHost's own
/// lines, and loud failures on standard error. Colours only on a terminal.
/// </summary>
internal sealed class Output
{
    private readonly Lock _lock = new();
    private readonly bool _color = !Console.IsOutputRedirected && System.Environment.GetEnvironmentVariable("NO_COLOR") is null;
    private readonly int _width;
    private readonly Dictionary<string, string> _colors;

    public Output(IEnumerable<string> names)
    {
        string[] palette = ["\e[36m", "\e[35m", "\e[33m", "\e[34m", "\e[32m"];
        _colors = names.Select((name, i) => (name, palette[i % palette.Length])).ToDictionary(p => p.name, p => p.Item2);
        _width = _colors.Keys.Append("apphost").Max(n => n.Length) + 2;
    }

    public void Line(string name, string text, bool error)
    {
        var prefix = $"[{name}]".PadRight(_width);
        if (_color && _colors.TryGetValue(name, out var color))
        {
            prefix = color + prefix + "\e[0m";
        }
        Write(error ? Console.Error : Console.Out, $"{prefix} {text}");
    }

    public void Info(string text) => Write(Console.Out, $"{"[apphost]".PadRight(_width)} {text}");

    /// <summary>A failure: on standard error, in red on a terminal.</summary>
    public void Fail(string text) =>
        Write(Console.Error, _color && !Console.IsErrorRedirected ? $"\e[1;31m{text}\e[0m" : text);

    public void Block(string text) => Write(Console.Out, text);

    private void Write(TextWriter writer, string text)
    {
        lock (_lock)
        {
            writer.WriteLine(text);
            writer.Flush();
        }
    }
}
