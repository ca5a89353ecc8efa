using System.Text;
using System.Text.Json;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// JSON as one line per value with its path, "orders[0].customer.name: Ada", so every value keeps its meaning
/// wherever the chunker cuts. Empty objects and arrays hold no value and leave no line.
/// </summary>
internal sealed class JsonExtractor : IDocumentExtractor
{
    public DocumentType Type => DocumentType.Json;

    public async Task<ExtractedDocument> ExtractAsync(Stream content, CancellationToken cancellationToken)
    {
        var flattener = new Flattener();
        await JsonStream.ReadAsync(content, flattener.OnToken, cancellationToken);
        return flattener.Sections.Build();
    }

    private sealed class Flattener
    {
        private readonly List<Container> _containers = [];
        private readonly StringBuilder _path = new();
        private string? _property;

        public SectionBuilder Sections { get; } = new();

        public void OnToken(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    _property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    EnterValue();
                    _containers.Add(new Container(reader.TokenType == JsonTokenType.StartArray, _path.Length));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    _containers.RemoveAt(_containers.Count - 1);
                    break;
                default:
                    EnterValue();
                    var value = ValueText(ref reader).ReplaceLineEndings(" ");
                    Sections.AddLine(_path.Length > 0 ? $"{_path}: {value}" : value);
                    break;
            }
        }

        /// <summary>Sets <see cref="_path"/> to the value about to be read.</summary>
        private void EnterValue()
        {
            if (_containers.Count == 0)
            {
                _path.Clear();
                return;
            }

            var container = _containers[^1];
            _path.Length = container.PathLength;
            if (container.IsArray)
            {
                _path.Append('[').Append(container.NextIndex++).Append(']');
            }
            else
            {
                _path.Append(_path.Length > 0 ? "." : "").Append(_property);
            }
        }

        private static string ValueText(ref Utf8JsonReader reader) => reader.TokenType switch
        {
            JsonTokenType.String => reader.GetString() ?? "",
            // As written: no rounding through double.
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.True => "true",
            JsonTokenType.False => "false",
            _ => "null",
        };

        private sealed class Container(bool isArray, int pathLength)
        {
            public bool IsArray { get; } = isArray;
            public int PathLength { get; } = pathLength;
            public int NextIndex { get; set; }
        }
    }
}
