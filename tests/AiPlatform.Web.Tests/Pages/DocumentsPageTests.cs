using System.Net;
using AiPlatform.Web.Components.Pages.Documents;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;

namespace AiPlatform.Web.Tests.Pages;

public sealed class DocumentsPageTests : ConsoleTestContext
{
    private static readonly Guid GeologistId = Guid.NewGuid();

    public DocumentsPageTests() =>
        Api.On(HttpMethod.Get, "/api/v1/assistants", _ => ApiStub.Json(Paged(
            new { id = GeologistId, name = "Geologist", description = (string?)null, model = "local", status = "ACTIVE" })));

    [Fact]
    public void Shows_progress_while_a_document_is_processed_and_refreshes_until_it_is_done()
    {
        SignIn();
        var reads = 0;
        Api.On(HttpMethod.Get, "/api/v1/documents", _ => ApiStub.Json(Paged(
            Interlocked.Increment(ref reads) == 1 ? Document("PROCESSING", done: 128, total: 510) : Document("PROCESSED", done: 510, total: 510))));

        var page = Render<DocumentsPage>();

        page.WaitForAssertion(() => Assert.Equal(["handbook.pdf", "12 pages", "PDF", "Processing", "128 of 510"], Cells(page)));
        page.WaitForAssertion(() => Assert.Equal(["handbook.pdf", "12 pages", "PDF", "Processed", "510"], Cells(page)), TimeSpan.FromSeconds(10));
        var settled = reads;
        Thread.Sleep(DocumentsPage.RefreshInterval * 2);
        Assert.Equal(settled, reads); // Nothing pending: no more polling.
    }

    [Fact]
    public void Uploads_a_file_as_multipart_and_lists_it()
    {
        SignIn();
        var uploaded = false;
        Api.On(HttpMethod.Get, "/api/v1/documents", _ => ApiStub.Json(uploaded ? Paged(Document("UPLOADED", 0, 0)) : Paged()))
            .On(HttpMethod.Post, "/api/v1/documents", request =>
            {
                uploaded = true;
                return ApiStub.Json(Document("UPLOADED", 0, 0), HttpStatusCode.Accepted);
            });

        var page = Render<DocumentsPage>();
        page.WaitForAssertion(() => Assert.Contains("No documents yet.", page.Markup));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("#assistant option").Count));
        page.Find("#assistant").Change(GeologistId.ToString());
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("Glaciers carve valleys.", "handbook.pdf"));

        page.WaitForAssertion(() => Assert.Contains("Uploaded", page.Find("tbody").TextContent));
        var body = Api.RequestsTo(HttpMethod.Post, "/api/v1/documents").Single().Body;
        Assert.Contains("name=file; filename=handbook.pdf", body);
        Assert.Contains("Glaciers carve valleys.", body);
        Assert.Contains($"name=assistantIds\r\n\r\n{GeologistId}", body);
    }

    [Fact]
    public void Links_and_unlinks_assistants_of_a_listed_document()
    {
        SignIn();
        var documentId = Guid.NewGuid();
        var linked = Array.Empty<Guid>();
        Api.On(HttpMethod.Get, "/api/v1/documents", _ => ApiStub.Json(Paged(Document("PROCESSED", 3, 3, documentId, linked))))
            .On(HttpMethod.Put, $"/api/v1/documents/{documentId}/assistants", request =>
            {
                linked = System.Text.Json.JsonDocument.Parse(request.Body).RootElement.GetProperty("assistantIds").EnumerateArray()
                    .Select(e => e.GetGuid()).ToArray();
                return ApiStub.Json(Document("PROCESSED", 3, 3, documentId, linked));
            });

        var page = Render<DocumentsPage>();
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("td.links option").Count));
        page.Find("td.links select").Change(GeologistId.ToString());

        page.WaitForAssertion(() => Assert.Contains("Geologist", page.Find("td.links .chip").TextContent));
        Assert.Equal([GeologistId], linked);
        Assert.Empty(page.FindAll("td.links select")); // Every assistant answers from it already.

        page.Find("button[aria-label='Stop Geologist answering from handbook.pdf']").Click();
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("td.links .chip")));
        Assert.Empty(linked);
        Assert.Equal(2, Api.RequestsTo(HttpMethod.Put, $"/api/v1/documents/{documentId}/assistants").Count());
    }

    [Fact]
    public void Shows_why_an_upload_was_refused()
    {
        SignIn();
        Api.On(HttpMethod.Get, "/api/v1/documents", _ => ApiStub.Json(Paged()))
            .On(HttpMethod.Post, "/api/v1/documents", _ => ApiStub.Error(HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
                "This file is a PNG image; supported types are PDF, DOCX, HTML, MD, CSV, JSON and TXT."));

        var page = Render<DocumentsPage>();
        page.WaitForAssertion(() => Assert.Contains("No documents yet.", page.Markup));
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary([0x89, 0x50, 0x4E, 0x47], "picture.txt"));

        page.WaitForAssertion(() => Assert.Equal("This file is a PNG image; supported types are PDF, DOCX, HTML, MD, CSV, JSON and TXT.",
            page.Find("[role=alert]").TextContent));
    }

    private static object Document(string status, int done, int total, Guid? id = null, params Guid[] assistantIds) => new
    {
        id = id ?? Guid.NewGuid(), filename = "handbook.pdf", type = "PDF", status, size = 1024, chunkCount = status == "PROCESSED" ? total : 0,
        pageCount = 12, progress = new { done, total }, uploadedAt = DateTime.UtcNow, assistantIds,
    };

    private static object Paged(params object[] items) => new { items, page = 1, pageSize = 50, total = items.Length, totalPages = 1 };

    private static string[] Cells(IRenderedComponent<DocumentsPage> page) =>
        [.. page.FindAll("tbody td strong, tbody td div, tbody td:not(:first-child):not(:last-child):not(.links)").Select(e => e.TextContent.Trim())];
}
