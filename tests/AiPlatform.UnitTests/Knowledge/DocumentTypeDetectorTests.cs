using System.Text;
using AiPlatform.Core.Knowledge.Extraction;
using static AiPlatform.Core.Knowledge.Extraction.DocumentDetectionOutcome;

namespace AiPlatform.UnitTests.Knowledge;

public sealed class DocumentTypeDetectorTests
{
    private const string Csv = "name,city,notes\n\"Lovelace, Ada\",London,\"said \"\"hi\"\"\"\nTuring,Wilmslow,\n";

    private static readonly Dictionary<string, (Func<byte[]> Content, string FileName, string? ContentType)> Cases = new()
    {
        ["pdf"] = (() => Fixtures.Pdf(Fixtures.PdfPages), "report.pdf", "application/pdf"),
        ["pdf named .txt"] = (() => Fixtures.Pdf(Fixtures.PdfPages), "notes.txt", "text/plain"),
        ["pdf after a line break"] = (() => [.. Fixtures.Utf8("\r\n"), .. Fixtures.Pdf(Fixtures.PdfPages)], "report.pdf", null),
        ["docx"] = (Fixtures.Docx, "report.docx", null),
        ["docx named .zip"] = (Fixtures.Docx, "report.zip", "application/zip"),
        ["zip"] = (Fixtures.Zip, "archive.zip", null),
        ["zip named .docx"] = (Fixtures.Zip, "report.docx", null),
        ["damaged zip named .docx"] = (() => Fixtures.Docx()[..200], "report.docx", null),
        ["random bytes named .pdf"] = (() => Fixtures.RandomBytes(4096, seed: 7), "report.pdf", "application/pdf"),
        ["png named .pdf"] = (() => [0x89, .. "PNG\r\n\x1A\n"u8, .. Fixtures.RandomBytes(256, seed: 1)], "scan.pdf", null),
        ["legacy .doc"] = (() => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]], "old.doc", null),
        ["empty"] = (() => [], "empty.txt", null),
        ["whitespace"] = (() => Fixtures.Utf8(" \r\n\t \n"), "blank.txt", null),
        ["text with NULs"] = (() => Fixtures.Utf8("abc\0\0\0def"), "notes.txt", null),
        ["invalid UTF-8"] = (() => [.. "caf"u8, 0xC3, 0x28, .. " au lait"u8], "notes.txt", null),
        ["text"] = (() => Fixtures.Utf8("Meeting notes.\n\nWe agreed to ship on Friday."), "notes.txt", null),
        ["text with UTF-8 BOM"] = (() => [.. Encoding.UTF8.GetPreamble(), .. Fixtures.Utf8("Plain notes.")], "notes.txt", null),
        ["text in UTF-16 LE"] = (() => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Grüße aus Köln.\r\nZweite Zeile.")], "notes.txt", null),
        ["text in UTF-16 BE"] = (() => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes("Plain notes.")], "notes.txt", null),
        ["text quoting a pdf header"] = (() => Fixtures.Utf8("Every PDF starts with %PDF-1.7 or similar."), "notes.txt", null),
        ["text starting with a bracket"] = (() => Fixtures.Utf8("[1] Introduction\nThis report covers the year."), "notes.txt", null),
        ["html"] = (() => Fixtures.Utf8("\n<!DOCTYPE html><html><body><p>Hi</p></body></html>"), "page.html", null),
        ["html named .txt"] = (() => Fixtures.Utf8("<!doctype html>\n<title>T</title><p>Hi</p>"), "notes.txt", null),
        ["xhtml"] = (() => Fixtures.Utf8("<?xml version=\"1.0\"?>\n<!-- export -->\n<html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"), "page.xhtml", null),
        ["html fragment"] = (() => Fixtures.Utf8("<div class=\"post\"><p>Hello</p></div>"), "post.txt", null),
        ["html by name with a tag inside"] = (() => Fixtures.Utf8("Hello <b>world</b>"), "page.htm", null),
        ["markdown by name"] = (() => Fixtures.Utf8("Just a sentence."), "readme.md", null),
        ["markdown by content type"] = (() => Fixtures.Utf8("Just a sentence."), "readme", "text/markdown; charset=utf-8"),
        ["markdown starting with html"] = (() => Fixtures.Utf8("<p align=\"center\">Logo</p>\n\n# Project\n"), "README.markdown", null),
        ["markdown by structure"] = (() => Fixtures.Utf8("# Setup\n\nRun the installer.\n\n## Usage\n\n- one\n- two\n"), "notes.txt", null),
        ["markdown fences"] = (() => Fixtures.Utf8("Example:\n\n```\nrun()\n```\n"), "notes.txt", null),
        ["csv"] = (() => Fixtures.Utf8(Csv), "people.csv", null),
        ["csv by content type"] = (() => Fixtures.Utf8(Csv), "people", "text/csv"),
        ["csv with semicolons"] = (() => Fixtures.Utf8("name;city\nAda;London\nAlan;Wilmslow\n"), "people.csv", null),
        ["inconsistent csv"] = (() => Fixtures.Utf8("name,city\nAda\nAlan,Wilmslow,UK,extra\n"), "people.csv", null),
        ["csv named .txt"] = (() => Fixtures.Utf8(Csv), "people.txt", null),
        ["json"] = (() => Fixtures.Utf8("{\"orders\":[{\"id\":1}]}"), "orders.json", "application/json"),
        ["json named .txt"] = (() => Fixtures.Utf8("  [1, 2, {\"a\": null}]"), "data.txt", null),
        ["json with BOM"] = (() => [.. Encoding.UTF8.GetPreamble(), .. Fixtures.Utf8("{\"a\":1}")], "data.json", null),
        ["invalid json named .json"] = (() => Fixtures.Utf8("{\"a\": 1,, }"), "data.json", null),
        ["json lines named .json"] = (() => Fixtures.Utf8("{\"a\":1}\n{\"a\":2}\n"), "data.json", null),
    };

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [InlineData("pdf", Detected, DocumentType.Pdf)]
    [InlineData("pdf named .txt", Detected, DocumentType.Pdf)]
    [InlineData("pdf after a line break", Detected, DocumentType.Pdf)]
    [InlineData("docx", Detected, DocumentType.Docx)]
    [InlineData("docx named .zip", Detected, DocumentType.Docx)]
    [InlineData("zip", Unsupported, null)]
    [InlineData("zip named .docx", Unsupported, null)]
    [InlineData("damaged zip named .docx", Unreadable, null)]
    [InlineData("random bytes named .pdf", Unsupported, null)]
    [InlineData("png named .pdf", Unsupported, null)]
    [InlineData("legacy .doc", Unsupported, null)]
    [InlineData("empty", Empty, null)]
    [InlineData("whitespace", Empty, null)]
    [InlineData("text with NULs", Unsupported, null)]
    [InlineData("invalid UTF-8", Unsupported, null)]
    [InlineData("text", Detected, DocumentType.Txt)]
    [InlineData("text with UTF-8 BOM", Detected, DocumentType.Txt)]
    [InlineData("text in UTF-16 LE", Detected, DocumentType.Txt)]
    [InlineData("text in UTF-16 BE", Detected, DocumentType.Txt)]
    [InlineData("text quoting a pdf header", Detected, DocumentType.Txt)]
    [InlineData("text starting with a bracket", Detected, DocumentType.Txt)]
    [InlineData("html", Detected, DocumentType.Html)]
    [InlineData("html named .txt", Detected, DocumentType.Html)]
    [InlineData("xhtml", Detected, DocumentType.Html)]
    [InlineData("html fragment", Detected, DocumentType.Html)]
    [InlineData("html by name with a tag inside", Detected, DocumentType.Html)]
    [InlineData("markdown by name", Detected, DocumentType.Md)]
    [InlineData("markdown by content type", Detected, DocumentType.Md)]
    [InlineData("markdown starting with html", Detected, DocumentType.Md)]
    [InlineData("markdown by structure", Detected, DocumentType.Md)]
    [InlineData("markdown fences", Detected, DocumentType.Md)]
    [InlineData("csv", Detected, DocumentType.Csv)]
    [InlineData("csv by content type", Detected, DocumentType.Csv)]
    [InlineData("csv with semicolons", Detected, DocumentType.Csv)]
    [InlineData("inconsistent csv", Detected, DocumentType.Txt)]
    [InlineData("csv named .txt", Detected, DocumentType.Txt)]
    [InlineData("json", Detected, DocumentType.Json)]
    [InlineData("json named .txt", Detected, DocumentType.Json)]
    [InlineData("json with BOM", Detected, DocumentType.Json)]
    [InlineData("invalid json named .json", Unreadable, null)]
    [InlineData("json lines named .json", Unreadable, null)]
    public async Task Detects_the_type_from_the_content(string name, DocumentDetectionOutcome outcome, DocumentType? type)
    {
        var detection = await DetectAsync(name);

        Assert.Equal((outcome, type), (detection.Outcome, detection.Type));
        Assert.Equal(outcome != Detected, detection.Reason is not null);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Leaves_the_stream_where_it_found_it(string name)
    {
        var (content, fileName, contentType) = Cases[name];
        using var stream = new MemoryStream([.. "prefix"u8, .. content()]) { Position = 6 };

        await DocumentTypeDetector.DetectAsync(stream, fileName, contentType);

        Assert.Equal(6, stream.Position);
    }

    [Theory]
    [InlineData("png named .pdf", "PNG image")]
    [InlineData("legacy .doc", "save it as .docx")]
    [InlineData("zip", "ZIP archive")]
    [InlineData("random bytes named .pdf", "binary data")]
    [InlineData("empty", "empty")]
    [InlineData("invalid json named .json", "not valid")]
    public async Task Says_why_a_file_is_refused(string name, string reason)
    {
        var detection = await DetectAsync(name);

        Assert.Contains(reason, detection.Reason);
    }

    [Fact]
    public async Task Refuses_a_stream_it_cannot_rewind()
    {
        await using var pipe = new NonSeekableStream(Fixtures.Utf8("text"));

        await Assert.ThrowsAsync<ArgumentException>(() => DocumentTypeDetector.DetectAsync(pipe, "a.txt", null));
    }

    [Fact]
    public async Task Finds_binary_content_far_past_the_first_bytes()
    {
        var content = Fixtures.Utf8(new string('a', 100_000) + "\0" + new string('b', 10));
        using var stream = new MemoryStream(content);

        var detection = await DocumentTypeDetector.DetectAsync(stream, "long.txt", null);

        Assert.Equal(Unsupported, detection.Outcome);
    }

    [Fact]
    public async Task Validates_json_larger_than_its_read_window()
    {
        var items = string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"{{\"id\":{i},\"note\":\"{new string('x', 20)}\"}}"));
        using var valid = new MemoryStream(Fixtures.Utf8($"[{items}]"));
        using var truncated = new MemoryStream(Fixtures.Utf8($"[{items}"));

        Assert.Equal(DocumentType.Json, (await DocumentTypeDetector.DetectAsync(valid, "big.json", null)).Type);
        Assert.Equal(Unreadable, (await DocumentTypeDetector.DetectAsync(truncated, "big.json", null)).Outcome);
    }

    private static async Task<DocumentDetection> DetectAsync(string name)
    {
        var (content, fileName, contentType) = Cases[name];
        using var stream = new MemoryStream(content());
        return await DocumentTypeDetector.DetectAsync(stream, fileName, contentType);
    }
}
