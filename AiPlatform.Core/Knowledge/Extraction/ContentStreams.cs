using System.Text;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>Reading uploaded content: text as detection accepted it (UTF-8, or UTF-16 with a byte order mark).</summary>
internal static class ContentStreams
{
    public static StreamReader OpenReader(Stream content) =>
        new(content, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: 64 * 1024, leaveOpen: true);

    /// <summary>The whole text with "\n" line endings, for parsers that need it in one string.</summary>
    public static async Task<string> ReadAllAsync(Stream content, CancellationToken cancellationToken)
    {
        using var reader = OpenReader(content);
        return (await reader.ReadToEndAsync(cancellationToken)).ReplaceLineEndings("\n");
    }

    /// <summary>
    /// The content as a seekable stream, which the PDF and ZIP readers need: the stream itself when it can seek,
    /// otherwise a copy in memory.
    /// </summary>
    public static async Task<Stream> SeekableAsync(Stream content, CancellationToken cancellationToken)
    {
        if (content.CanSeek)
        {
            return content;
        }

        var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        return copy;
    }
}
