using System.Net.Http.Headers;
using System.Text;
using AiPlatform.IntegrationTests.Infrastructure;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using PageSize = UglyToad.PdfPig.Content.PageSize;

namespace AiPlatform.IntegrationTests.Documents;

/// <summary>Small files of every supported type, built by the tests (no binary fixtures), and upload helpers.</summary>
internal static class DocumentFixtures
{
    public static readonly byte[] Png =
    [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
    ];

    public static byte[] Pdf(string text = "Foxes are found on every continent except Antarctica.") => PdfPages(text);

    /// <summary>A PDF with one line of text on each page, in order.</summary>
    public static byte[] PdfPages(params string[] pages)
    {
        using var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var text in pages)
        {
            builder.AddPage(PageSize.A4).AddText(text, 12, new PdfPoint(60, 780), font);
        }
        return builder.Build();
    }

    public static byte[] Docx(string text = "Revenue grew in every region.")
    {
        using var stream = new MemoryStream();
        using (var word = WordprocessingDocument.Create(stream, DocumentFormat.OpenXml.WordprocessingDocumentType.Document))
        {
            word.AddMainDocumentPart().Document = new Document(new Body(new Paragraph(new Run(new Text(text)))));
        }

        return stream.ToArray();
    }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>One file of each supported type: (file name, bytes, expected API type).</summary>
    public static IEnumerable<(string FileName, byte[] Content, string Type)> OneOfEach() =>
    [
        ("report.pdf", Pdf(), "PDF"),
        ("report.docx", Docx(), "DOCX"),
        ("page.html", Utf8("<!DOCTYPE html><html><head><title>T</title></head><body><p>Hello</p></body></html>"), "HTML"),
        ("notes.md", Utf8("# Notes\n\nSome *Markdown* text.\n"), "MD"),
        ("table.csv", Utf8("name,age\nAda,36\nAlan,41\n"), "CSV"),
        ("data.json", Utf8("{\"name\":\"Ada\",\"tags\":[\"math\",\"engines\"]}"), "JSON"),
        ("plain.txt", Utf8("Just some plain text, nothing more.\n"), "TXT"),
    ];

    public static MultipartFormDataContent Form(
        string fileName, byte[] content, string? contentType = null, string? metadata = null, params string[] assistantIds)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType ?? "application/octet-stream");
        form.Add(file, "file", fileName);
        if (metadata is not null)
        {
            form.Add(new StringContent(metadata), "metadata");
        }

        foreach (var id in assistantIds)
        {
            form.Add(new StringContent(id), "assistantIds");
        }

        return form;
    }

    public static Task<HttpResponseMessage> UploadAsync(this HttpClient client, string fileName, byte[] content, string? contentType = null) =>
        client.PostAsync("/api/v1/documents", Form(fileName, content, contentType));

    /// <summary>Uploads and asserts 202; returns the response body.</summary>
    public static async Task<System.Text.Json.JsonElement> UploadOkAsync(this HttpClient client, string fileName, byte[] content, string? contentType = null)
    {
        var response = await client.UploadAsync(fileName, content, contentType);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }
}
