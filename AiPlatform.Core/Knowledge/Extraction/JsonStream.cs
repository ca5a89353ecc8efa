using System.Buffers;
using System.Text.Json;

namespace AiPlatform.Core.Knowledge.Extraction;

internal delegate void JsonTokenHandler(ref Utf8JsonReader reader);

/// <summary>Reads a JSON stream token by token through a growing window, never holding the whole document.</summary>
internal static class JsonStream
{
    private static readonly JsonReaderOptions Options = new()
    {
        // Hand-written JSON (configuration exports) often has comments or trailing commas; neither hides data.
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = 256,
    };

    /// <summary>Hands every token to <paramref name="onToken"/>.</summary>
    /// <exception cref="JsonException">The content is not one valid JSON value.</exception>
    public static async Task ReadAsync(Stream content, JsonTokenHandler onToken, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            var state = new JsonReaderState(Options);
            var length = await content.ReadAtLeastAsync(buffer, 3, throwOnEndOfStream: false, cancellationToken);
            // The reader rejects a byte order mark; it says nothing about the JSON.
            var start = buffer.AsSpan(0, length).StartsWith("\uFEFF"u8) ? 3 : 0;
            var final = length == 0;
            while (true)
            {
                var consumed = Read(buffer.AsSpan(start, length - start), final, ref state, onToken);
                if (final)
                {
                    return;
                }

                length -= start + consumed;
                buffer.AsSpan(start + consumed, length).CopyTo(buffer);
                start = 0;
                if (length == buffer.Length)
                {
                    // One token is larger than the window.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await content.ReadAsync(buffer.AsMemory(length), cancellationToken);
                length += read;
                final = read == 0;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static int Read(ReadOnlySpan<byte> data, bool final, ref JsonReaderState state, JsonTokenHandler onToken)
    {
        var reader = new Utf8JsonReader(data, final, state);
        while (reader.Read())
        {
            onToken(ref reader);
        }

        state = reader.CurrentState;
        return (int)reader.BytesConsumed;
    }
}
