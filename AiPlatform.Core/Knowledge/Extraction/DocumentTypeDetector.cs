using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// Tells the type of an upload from its content; the file name and declared content type only decide between text
/// formats the content cannot tell apart (Markdown, CSV, plain text). A PDF named .txt is a PDF; an image named .pdf
/// is unsupported.
/// </summary>
public static partial class DocumentTypeDetector
{
    // Enough for every signature and to sniff HTML, Markdown structure and the first CSV rows.
    private const int HeadSize = 8 * 1024;

    private const string SupportedTypes =
        "Supported types are PDF, Word (.docx), plain text, Markdown, HTML, CSV and JSON.";

    private static readonly (byte[] Signature, string What)[] KnownBinaries =
    [
        ([0x89, 0x50, 0x4E, 0x47], "a PNG image"),
        ([0xFF, 0xD8, 0xFF], "a JPEG image"),
        ("GIF8"u8.ToArray(), "a GIF image"),
        ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "a legacy Office file (.doc, .xls, .ppt); save it as .docx"),
        ([0x1F, 0x8B], "a gzip archive"),
        ("Rar!"u8.ToArray(), "a RAR archive"),
        ([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], "a 7-Zip archive"),
        (@"{\rtf"u8.ToArray(), "an RTF document; save it as .docx"),
    ];

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
    private static readonly Encoding StrictUtf16LittleEndian = new UnicodeEncoding(false, false, throwOnInvalidBytes: true);
    private static readonly Encoding StrictUtf16BigEndian = new UnicodeEncoding(true, false, throwOnInvalidBytes: true);

    // C0 controls that text does not contain; tab, line breaks, form feed, Ctrl-Z (old DOS end of file) and escape
    // (terminal colours in logs) are allowed.
    private static readonly SearchValues<char> BinaryControls = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001C\u001D\u001E\u001F");

    private static readonly SearchValues<char> Whitespace = SearchValues.Create(" \t\n\v\f\r\u00A0\u2028\u2029");

    // A document starting with one of these is HTML whatever its name (after WHATWG MIME sniffing).
    private static readonly string[] HtmlStarts = ["<!doctype html", "<html", "<head", "<body"];

    // Elements HTML fragments start with; Markdown may start with them too, so they count only if the name does not
    // say Markdown.
    private static readonly string[] HtmlFragmentStarts =
    [
        "<div", "<p", "<table", "<h1", "<h2", "<h3", "<title", "<meta", "<link", "<script", "<style", "<iframe", "<a",
        "<b", "<br", "<font",
    ];

    /// <summary>
    /// Detects the type of <paramref name="content"/>, reading it from its current position (more than once for
    /// text, to check all of it) and leaving it there.
    /// </summary>
    /// <param name="content">A seekable stream, such as a buffered upload.</param>
    /// <param name="fileName">The uploaded name; only its extension is used.</param>
    /// <param name="declaredContentType">The uploader's Content-Type, used like the extension.</param>
    public static async Task<DocumentDetection> DetectAsync(
        Stream content, string fileName, string? declaredContentType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("The content must be seekable: detection reads it more than once.", nameof(content));
        }

        var start = content.Position;
        try
        {
            return await DetectFromAsync(content, start, Claimed(fileName, declaredContentType), cancellationToken);
        }
        finally
        {
            content.Position = start;
        }
    }

    private static async Task<DocumentDetection> DetectFromAsync(
        Stream content, long start, DocumentType? claimed, CancellationToken cancellationToken)
    {
        var buffer = new byte[HeadSize];
        var length = await content.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var head = buffer.AsMemory(0, length);
        var complete = length < HeadSize;
        if (length == 0)
        {
            return DocumentDetection.Empty("The file is empty.");
        }

        // Readers accept the header anywhere in the first kilobyte, but text about PDFs quotes it too: only
        // whitespace (a byte order mark, a stray line break from a transfer) may come before it.
        if (head.Span.TrimStart("\uFEFF \t\r\n"u8).StartsWith("%PDF-"u8))
        {
            return DocumentDetection.Detected(DocumentType.Pdf);
        }

        if (head.Span.StartsWith("PK\x03\x04"u8))
        {
            content.Position = start;
            return await DetectZipAsync(content, cancellationToken);
        }

        foreach (var (signature, what) in KnownBinaries)
        {
            if (head.Span.StartsWith(signature))
            {
                return DocumentDetection.Unsupported($"The file is {what}, not a supported document. {SupportedTypes}");
            }
        }

        var (encoding, byteOrderMark) = TextEncoding(head.Span);
        content.Position = start + byteOrderMark;
        switch (await ScanTextAsync(content, encoding, cancellationToken))
        {
            case TextScan.Binary:
                return DocumentDetection.Unsupported($"The file holds binary data, not a supported document. {SupportedTypes}");
            case TextScan.Whitespace:
                return DocumentDetection.Empty("The file contains only whitespace.");
        }

        content.Position = start;
        return await DetectTextAsync(
            content, Decode(head.Span[byteOrderMark..], encoding), complete, encoding == StrictUtf8, claimed, cancellationToken);
    }

    private static async Task<DocumentDetection> DetectZipAsync(Stream content, CancellationToken cancellationToken)
    {
        try
        {
            // Reads the central directory only; nothing is decompressed.
            await using var zip = await ZipArchive.CreateAsync(
                content, ZipArchiveMode.Read, leaveOpen: true, entryNameEncoding: null, cancellationToken);
            if (zip.GetEntry("word/document.xml") is not null)
            {
                return DocumentDetection.Detected(DocumentType.Docx);
            }

            var what = zip.GetEntry("xl/workbook.xml") is not null ? "an Excel workbook"
                : zip.GetEntry("ppt/presentation.xml") is not null ? "a PowerPoint presentation"
                : "a ZIP archive";
            return DocumentDetection.Unsupported($"The file is {what}, not a supported document. {SupportedTypes}");
        }
        catch (InvalidDataException)
        {
            return DocumentDetection.Unreadable("The file is a damaged or incomplete ZIP archive (a .docx is one).");
        }
    }

    /// <summary>
    /// The text format: JSON if it parses, HTML if it starts like HTML, otherwise what the name claims among
    /// Markdown and CSV when the content fits, Markdown if it has Markdown structure, else plain text. Content that
    /// claims to be JSON but does not parse is unreadable.
    /// </summary>
    private static async Task<DocumentDetection> DetectTextAsync(
        Stream content, string head, bool complete, bool utf8, DocumentType? claimed, CancellationToken cancellationToken)
    {
        // Decided before reading on: a span cannot live across an await.
        var trimmed = SkipPrologue(head);
        var startsLikeJson = trimmed.StartsWith('{') || trimmed.StartsWith('[');
        var startsLikeHtml = StartsWithTag(trimmed, HtmlStarts)
            || (claimed is not DocumentType.Md && StartsWithTag(trimmed, HtmlFragmentStarts));

        if (startsLikeJson || claimed is DocumentType.Json)
        {
            var error = utf8 ? await JsonErrorAsync(content, cancellationToken) : "JSON must be encoded in UTF-8.";
            if (error is null)
            {
                return DocumentDetection.Detected(DocumentType.Json);
            }

            // Text that merely starts with a bracket ("[1] Introduction") is text, unless it claims to be JSON.
            if (claimed is DocumentType.Json)
            {
                return DocumentDetection.Unreadable($"The file is named or declared as JSON but is not valid JSON: {error}");
            }
        }

        return DocumentDetection.Detected(startsLikeHtml ? DocumentType.Html : claimed switch
        {
            DocumentType.Md => DocumentType.Md,
            DocumentType.Csv when await IsConsistentCsvAsync(head, complete, cancellationToken) => DocumentType.Csv,
            DocumentType.Html when HtmlTag().IsMatch(head) => DocumentType.Html,
            _ when HasMarkdownStructure(head) => DocumentType.Md,
            _ => DocumentType.Txt,
        });
    }

    /// <summary>The type the name's extension, or else the declared content type, claims; null if neither does.</summary>
    private static DocumentType? Claimed(string fileName, string? declaredContentType)
    {
        var byExtension = Path.GetExtension(fileName).ToLowerInvariant() switch
        {
            ".pdf" => DocumentType.Pdf,
            ".docx" => DocumentType.Docx,
            ".txt" or ".text" => DocumentType.Txt,
            ".md" or ".markdown" or ".mdown" or ".mkd" => DocumentType.Md,
            ".html" or ".htm" or ".xhtml" => DocumentType.Html,
            ".csv" or ".tsv" => DocumentType.Csv,
            ".json" => DocumentType.Json,
            _ => (DocumentType?)null,
        };
        var mediaType = declaredContentType?.Split(';')[0].Trim().ToLowerInvariant();
        return byExtension ?? mediaType switch
        {
            "text/markdown" or "text/x-markdown" => DocumentType.Md,
            "text/csv" or "text/tab-separated-values" => DocumentType.Csv,
            "text/html" or "application/xhtml+xml" => DocumentType.Html,
            "application/json" => DocumentType.Json,
            { } other when other.EndsWith("+json", StringComparison.Ordinal) => DocumentType.Json,
            _ => null,
        };
    }

    private static (Encoding Encoding, int ByteOrderMark) TextEncoding(ReadOnlySpan<byte> head) =>
        head.StartsWith("\uFEFF"u8) ? (StrictUtf8, 3)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) ? (StrictUtf16LittleEndian, 2)
        : head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]) ? (StrictUtf16BigEndian, 2)
        : (StrictUtf8, 0);

    private enum TextScan
    {
        Text,
        Whitespace,
        Binary,
    }

    /// <summary>Decodes the rest of the stream strictly: invalid sequences or control characters mean binary.</summary>
    private static async Task<TextScan> ScanTextAsync(Stream content, Encoding encoding, CancellationToken cancellationToken)
    {
        const int BlockSize = 64 * 1024;
        var decoder = encoding.GetDecoder();
        var bytes = ArrayPool<byte>.Shared.Rent(BlockSize);
        var chars = ArrayPool<char>.Shared.Rent(encoding.GetMaxCharCount(BlockSize));
        try
        {
            var hasText = false;
            int read;
            do
            {
                read = await content.ReadAsync(bytes.AsMemory(0, BlockSize), cancellationToken);
                var decoded = chars.AsSpan(0, decoder.GetChars(bytes, 0, read, chars, 0, flush: read == 0));
                if (decoded.ContainsAny(BinaryControls))
                {
                    return TextScan.Binary;
                }

                hasText |= decoded.ContainsAnyExcept(Whitespace);
            }
            while (read > 0);

            return hasText ? TextScan.Text : TextScan.Whitespace;
        }
        catch (DecoderFallbackException)
        {
            return TextScan.Binary;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    /// <summary>The head as text, leaving out a character its last bytes only begin (already checked as valid).</summary>
    private static string Decode(ReadOnlySpan<byte> head, Encoding encoding)
    {
        var decoder = encoding.GetDecoder();
        var chars = new char[encoding.GetMaxCharCount(head.Length)];
        return new string(chars, 0, decoder.GetChars(head, chars, flush: false));
    }

    /// <summary>The text after leading whitespace, an XML declaration and comments, where a markup document starts.</summary>
    private static ReadOnlySpan<char> SkipPrologue(string text)
    {
        var rest = text.AsSpan().TrimStart();
        while (true)
        {
            var end = rest.StartsWith("<?xml") ? rest.IndexOf("?>")
                : rest.StartsWith("<!--") ? rest.IndexOf("-->")
                : -1;
            if (end < 0)
            {
                return rest;
            }

            rest = rest[(end + (rest[1] == '?' ? 2 : 3))..].TrimStart();
        }
    }

    /// <summary>Whether <paramref name="text"/> starts with one of the tags <paramref name="markers"/>, in any case.</summary>
    private static bool StartsWithTag(ReadOnlySpan<char> text, string[] markers)
    {
        foreach (var marker in markers)
        {
            if (text.StartsWith(marker, StringComparison.OrdinalIgnoreCase)
                && (text.Length == marker.Length || text[marker.Length] is ' ' or '>' or '/' or '\t' or '\n' or '\r'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the content is not a JSON object or array; null if it is one.</summary>
    private static async Task<string?> JsonErrorAsync(Stream content, CancellationToken cancellationToken)
    {
        var root = JsonTokenType.None;
        try
        {
            await JsonStream.ReadAsync(content, (ref Utf8JsonReader reader) =>
            {
                if (root == JsonTokenType.None)
                {
                    root = reader.TokenType;
                }
            }, cancellationToken);
        }
        catch (JsonException e)
        {
            return e.Message;
        }

        // A lone string or number is valid JSON but no document.
        return root is JsonTokenType.StartObject or JsonTokenType.StartArray ? null : "The top level is not an object or array.";
    }

    /// <summary>Whether the head parses as records that all have as many fields as the first.</summary>
    private static async Task<bool> IsConsistentCsvAsync(string head, bool complete, CancellationToken cancellationToken)
    {
        var records = new CsvRecordReader(new StringReader(head));
        var counts = new List<int>();
        while (await records.ReadAsync(cancellationToken) is { } record)
        {
            counts.Add(record.Count);
        }

        // The head may end inside a record.
        if (!complete && counts.Count > 1)
        {
            counts.RemoveAt(counts.Count - 1);
        }

        return counts.Count > 0 && counts.TrueForAll(count => count == counts[0]);
    }

    /// <summary>A heading, a fenced code block, or links among list items: plain text rarely has these.</summary>
    private static bool HasMarkdownStructure(string head)
    {
        var headings = AtxHeading().Count(head);
        var fences = Fence().Count(head);
        var links = Link().Count(head);
        var listItems = ListItem().Count(head);
        return headings > 0 || fences >= 2 || (links > 0 && links + listItems >= 3);
    }

    [GeneratedRegex(@"^ {0,3}#{1,6}[ \t]+\S", RegexOptions.Multiline)]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^ {0,3}(```|~~~)", RegexOptions.Multiline)]
    private static partial Regex Fence();

    [GeneratedRegex(@"!?\[[^\]\n]+\]\([^)\s]+\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+\S", RegexOptions.Multiline)]
    private static partial Regex ListItem();

    [GeneratedRegex(@"<[a-zA-Z][a-zA-Z0-9]*[\s>/]")]
    private static partial Regex HtmlTag();
}
