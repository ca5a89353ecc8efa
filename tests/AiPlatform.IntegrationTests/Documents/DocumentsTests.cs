using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Assistants;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Documents;

[Collection(ApiCollection.Name)]
public sealed class DocumentsTests(ApiFactory factory)
{
    [Fact]
    public async Task Every_supported_type_is_accepted_with_the_type_its_content_shows()
    {
        var tenant = await factory.CreateTenantAsync();
        foreach (var (fileName, content, type) in DocumentFixtures.OneOfEach())
        {
            var uploaded = await tenant.Client.UploadOkAsync(fileName, content);
            Assert.Equal(type, uploaded.GetProperty("type").GetString());
            Assert.Equal("UPLOADED", uploaded.GetProperty("status").GetString());
            Assert.Equal(fileName, uploaded.GetProperty("filename").GetString());
            Assert.Equal(content.Length, uploaded.GetProperty("size").GetInt64());
            Assert.NotEqual(Guid.Empty, uploaded.GetProperty("id").GetGuid());
            Assert.True(uploaded.TryGetProperty("uploadedAt", out _));
        }
    }

    [Fact]
    public async Task The_content_decides_not_the_extension()
    {
        var tenant = await factory.CreateTenantAsync();
        var pdfNamedTxt = await tenant.Client.UploadOkAsync("notes.txt", DocumentFixtures.Pdf(), "text/plain");
        Assert.Equal("PDF", pdfNamedTxt.GetProperty("type").GetString());

        await (await tenant.Client.UploadAsync("scan.pdf", DocumentFixtures.Png, "application/pdf"))
            .AssertErrorAsync(415, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task Empty_unreadable_missing_and_non_multipart_uploads_are_refused()
    {
        var tenant = await factory.CreateTenantAsync();
        var empty = await (await tenant.Client.UploadAsync("empty.txt", [])).AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.Contains("empty", empty.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);

        await (await tenant.Client.UploadAsync("blank.txt", DocumentFixtures.Utf8("  \n\t "))).AssertErrorAsync(422, "VALIDATION_ERROR");
        var badJson = await (await tenant.Client.UploadAsync("data.json", DocumentFixtures.Utf8("{\"a\": ")))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.Contains("JSON", badJson.GetProperty("message").GetString());

        var noFile = new MultipartFormDataContent { { new StringContent("{}"), "metadata" } };
        var missing = await (await tenant.Client.PostAsync("/api/v1/documents", noFile)).AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.True(missing.GetProperty("details").TryGetProperty("file", out _));

        await (await tenant.Client.PostAsJsonAsync("/api/v1/documents", new { file = "hello" }))
            .AssertErrorAsync(415, "UNSUPPORTED_MEDIA_TYPE");
        await (await tenant.Client.PostAsync("/api/v1/documents", new StringContent("hello", Encoding.UTF8, "text/plain")))
            .AssertErrorAsync(415, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task A_body_larger_than_the_largest_limit_is_413_before_it_is_read()
    {
        var tenant = await factory.CreateTenantAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/documents")
        {
            Content = DocumentFixtures.Form("huge.txt", DocumentFixtures.Utf8("hi")),
        };
        // Declares more than 100 MB + envelope; the guard answers from the header.
        request.Content.Headers.ContentLength = 200L * 1024 * 1024;
        var response = await tenant.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await response.AssertErrorAsync(413, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_document_larger_than_the_1_MB_JSON_limit_is_accepted()
    {
        var tenant = await factory.CreateTenantAsync();
        var line = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n";
        var content = DocumentFixtures.Utf8(string.Concat(Enumerable.Repeat(line, 2 * 1024 * 1024 / line.Length)));
        var uploaded = await tenant.Client.UploadOkAsync("big.txt", content);
        Assert.Equal(content.Length, uploaded.GetProperty("size").GetInt64());

        var download = await tenant.Client.GetAsync($"/api/v1/documents/{uploaded.GetProperty("id").GetGuid()}/download");
        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Download_returns_the_original_bytes_type_and_name()
    {
        var tenant = await factory.CreateTenantAsync();
        var pdf = DocumentFixtures.Pdf();
        var id = (await tenant.Client.UploadOkAsync("Quarterly report.pdf", pdf, "application/pdf")).GetProperty("id").GetGuid();

        var response = await tenant.Client.GetAsync($"/api/v1/documents/{id}/download");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("Quarterly report.pdf", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(pdf, await response.Content.ReadAsByteArrayAsync());

        // A lying declared type is not echoed back: PDF bytes sent as text/plain come back as a PDF.
        var lying = (await tenant.Client.UploadOkAsync("x.txt", pdf, "text/plain")).GetProperty("id").GetGuid();
        var lyingDownload = await tenant.Client.GetAsync($"/api/v1/documents/{lying}/download");
        Assert.Equal("application/pdf", lyingDownload.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_returns_the_details_metadata_and_assistants()
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetString()!;
        var form = DocumentFixtures.Form("notes.md", DocumentFixtures.Utf8("# Title\n\nBody.\n"), "text/markdown",
            "{\"source\":\"wiki\",\"tags\":[\"a\",\"b\"]}", assistant);
        var upload = await tenant.Client.PostAsync("/api/v1/documents", form);
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var id = (await upload.ReadJsonAsync()).GetProperty("id").GetGuid();
        Assert.EndsWith($"/api/v1/documents/{id}", upload.Headers.Location?.ToString());

        var document = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal("notes.md", document.GetProperty("filename").GetString());
        Assert.Equal("MD", document.GetProperty("type").GetString());
        Assert.Equal("UPLOADED", document.GetProperty("status").GetString());
        Assert.Equal(0, document.GetProperty("chunkCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, document.GetProperty("pageCount").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.GetProperty("processingTime").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.GetProperty("error").ValueKind);
        Assert.Equal(0, document.GetProperty("progress").GetProperty("done").GetInt32());
        Assert.Equal(0, document.GetProperty("progress").GetProperty("total").GetInt32());
        Assert.Equal("wiki", document.GetProperty("metadata").GetProperty("source").GetString());
        Assert.Equal("b", document.GetProperty("metadata").GetProperty("tags")[1].GetString());
        Assert.Equal(assistant, document.GetProperty("assistantIds")[0].GetString());
        Assert.Equal(JsonValueKind.Null, document.GetProperty("processedAt").ValueKind);
        Assert.Equal(1, document.GetProperty("version").GetInt32());

        // assistantIds as a JSON array works too.
        var arrayForm = DocumentFixtures.Form("a.txt", DocumentFixtures.Utf8("text"), assistantIds: $"[\"{assistant}\"]");
        var viaArray = await tenant.Client.PostAsync("/api/v1/documents", arrayForm);
        Assert.Equal(HttpStatusCode.Accepted, viaArray.StatusCode);

        await (await tenant.Client.GetAsync($"/api/v1/documents/{Guid.NewGuid()}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Invalid_metadata_and_unknown_assistants_are_422()
    {
        var tenant = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        var foreignAssistant = (await AssistantsTests.CreateAssistantAsync(other.Client)).GetProperty("id").GetString()!;
        var text = DocumentFixtures.Utf8("Some text.");

        async Task<JsonElement> RefusedAsync(MultipartFormDataContent form) =>
            await (await tenant.Client.PostAsync("/api/v1/documents", form)).AssertErrorAsync(422, "VALIDATION_ERROR");

        Assert.True((await RefusedAsync(DocumentFixtures.Form("a.txt", text, metadata: "[1,2]"))).GetProperty("details").TryGetProperty("metadata", out _));
        Assert.True((await RefusedAsync(DocumentFixtures.Form("a.txt", text, metadata: "{oops"))).GetProperty("details").TryGetProperty("metadata", out _));
        Assert.True((await RefusedAsync(DocumentFixtures.Form("a.txt", text, assistantIds: "not-a-guid"))).GetProperty("details").TryGetProperty("assistantIds", out _));
        Assert.True((await RefusedAsync(DocumentFixtures.Form("a.txt", text, assistantIds: Guid.NewGuid().ToString()))).GetProperty("details").TryGetProperty("assistantIds", out _));
        Assert.True((await RefusedAsync(DocumentFixtures.Form("a.txt", text, assistantIds: foreignAssistant))).GetProperty("details").TryGetProperty("assistantIds", out _));

        var list = await (await tenant.Client.GetAsync("/api/v1/documents")).ReadJsonAsync();
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Assistants_are_linked_and_unlinked_after_upload()
    {
        var tenant = await factory.CreateTenantAsync();
        var first = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        var second = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        var id = (await tenant.Client.UploadOkAsync("faq.txt", DocumentFixtures.Utf8("Questions."))).GetProperty("id").GetGuid();

        var linked = await tenant.Client.PutAsJsonAsync($"/api/v1/documents/{id}/assistants", new { assistantIds = new[] { first, second, first } });
        Assert.Equal(HttpStatusCode.OK, linked.StatusCode);
        Assert.Equal([first, second], (await linked.ReadJsonAsync()).GetProperty("assistantIds").EnumerateArray().Select(e => e.GetGuid()));
        var stored = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal([first, second], stored.GetProperty("assistantIds").EnumerateArray().Select(e => e.GetGuid()));

        // Deleting an assistant unlinks it; the document stays with its other links.
        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/assistants/{second}")).StatusCode);
        var afterDelete = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal([first], afterDelete.GetProperty("assistantIds").EnumerateArray().Select(e => e.GetGuid()));
        var listed = await (await tenant.Client.GetAsync("/api/v1/documents")).ReadJsonAsync();
        Assert.Equal([first], listed.GetProperty("items")[0].GetProperty("assistantIds").EnumerateArray().Select(e => e.GetGuid()));

        var unlinked = await tenant.Client.PutAsJsonAsync($"/api/v1/documents/{id}/assistants", new { assistantIds = Array.Empty<Guid>() });
        Assert.Equal(0, (await unlinked.ReadJsonAsync()).GetProperty("assistantIds").GetArrayLength());
    }

    [Fact]
    public async Task Linking_refuses_bad_lists_unknown_assistants_and_other_tenants()
    {
        var tenant = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        var own = (await AssistantsTests.CreateAssistantAsync(tenant.Client)).GetProperty("id").GetGuid();
        var foreign = (await AssistantsTests.CreateAssistantAsync(other.Client)).GetProperty("id").GetGuid();
        var upload = await tenant.Client.PostAsync("/api/v1/documents", DocumentFixtures.Form("faq.txt", DocumentFixtures.Utf8("Questions."),
            assistantIds: own.ToString()));
        var id = (await upload.ReadJsonAsync()).GetProperty("id").GetGuid();
        var url = $"/api/v1/documents/{id}/assistants";

        async Task AssertInvalidAsync(object body) =>
            Assert.True((await (await tenant.Client.PutAsJsonAsync(url, body)).AssertErrorAsync(422, "VALIDATION_ERROR"))
                .GetProperty("details").TryGetProperty("assistantIds", out _));
        await AssertInvalidAsync(new { });
        await AssertInvalidAsync(new { assistantIds = new[] { Guid.NewGuid() } });
        await AssertInvalidAsync(new { assistantIds = new[] { foreign } });
        await AssertInvalidAsync(new { assistantIds = Enumerable.Range(0, DocumentLimits.MaxAssistants + 1).Select(_ => Guid.NewGuid()) });
        var malformed = await tenant.Client.PutAsync(url, new StringContent("{\"assistantIds\": [\"nope\"]}", Encoding.UTF8, "application/json"));
        Assert.Contains("assistantIds", (await malformed.AssertErrorAsync(400, "VALIDATION_ERROR")).GetProperty("message").GetString());

        // The other tenant can neither see nor relink it, even to its own assistant; the links stay as they were.
        await (await other.Client.PutAsJsonAsync(url, new { assistantIds = new[] { foreign } })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.PutAsJsonAsync($"/api/v1/documents/{Guid.NewGuid()}/assistants", new { assistantIds = new[] { own } }))
            .AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        var stored = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal([own], stored.GetProperty("assistantIds").EnumerateArray().Select(e => e.GetGuid()));
    }

    [Fact]
    public async Task List_filters_searches_and_pages()
    {
        var tenant = await factory.CreateTenantAsync();
        await tenant.Client.UploadOkAsync("alpha-report.pdf", DocumentFixtures.Pdf());
        await tenant.Client.UploadOkAsync("beta_notes.txt", DocumentFixtures.Utf8("beta"));
        await tenant.Client.UploadOkAsync("gamma-REPORT.txt", DocumentFixtures.Utf8("gamma"));

        var all = await (await tenant.Client.GetAsync("/api/v1/documents")).ReadJsonAsync();
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        // Newest first.
        Assert.Equal("gamma-REPORT.txt", all.GetProperty("items")[0].GetProperty("filename").GetString());

        var texts = await (await tenant.Client.GetAsync("/api/v1/documents?type=TXT")).ReadJsonAsync();
        Assert.Equal(["beta_notes.txt", "gamma-REPORT.txt"],
            texts.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("filename").GetString()).Order());

        var reports = await (await tenant.Client.GetAsync("/api/v1/documents?search=report")).ReadJsonAsync();
        Assert.Equal(2, reports.GetProperty("total").GetInt32());

        var pdfReports = await (await tenant.Client.GetAsync("/api/v1/documents?search=report&type=pdf&status=UPLOADED")).ReadJsonAsync();
        Assert.Equal("alpha-report.pdf", pdfReports.GetProperty("items").EnumerateArray().Single().GetProperty("filename").GetString());

        // LIKE wildcards in the search are literal.
        var underscore = await (await tenant.Client.GetAsync("/api/v1/documents?search=_")).ReadJsonAsync();
        Assert.Equal("beta_notes.txt", underscore.GetProperty("items").EnumerateArray().Single().GetProperty("filename").GetString());

        var processed = await (await tenant.Client.GetAsync("/api/v1/documents?status=PROCESSED")).ReadJsonAsync();
        Assert.Equal(0, processed.GetProperty("total").GetInt32());

        var paged = await (await tenant.Client.GetAsync("/api/v1/documents?pageSize=2&page=2")).ReadJsonAsync();
        Assert.Equal(3, paged.GetProperty("total").GetInt32());
        Assert.Equal(2, paged.GetProperty("totalPages").GetInt32());
        Assert.Equal("alpha-report.pdf", paged.GetProperty("items").EnumerateArray().Single().GetProperty("filename").GetString());

        await (await tenant.Client.GetAsync("/api/v1/documents?type=XLSX")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/documents?status=DONE")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/documents?pageSize=0")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Delete_removes_the_document_and_its_blob()
    {
        var tenant = await factory.CreateTenantAsync();
        var id = (await tenant.Client.UploadOkAsync("gone.txt", DocumentFixtures.Utf8("bye"))).GetProperty("id").GetGuid();
        var blobId = await factory.InSystemScopeAsync(db => db.Documents.Where(d => d.Id == id).Select(d => d.BlobId).SingleAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/documents/{id}")).StatusCode);
        await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.GetAsync($"/api/v1/documents/{id}/download")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await tenant.Client.DeleteAsync($"/api/v1/documents/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        Assert.False(await factory.InSystemScopeAsync(db => db.DocumentBlobs.AnyAsync(b => b.Id == blobId)));
    }

    [Fact]
    public async Task Upload_and_reprocess_stage_document_uploaded_events_with_the_version()
    {
        var tenant = await factory.CreateTenantAsync();
        var id = (await tenant.Client.UploadOkAsync("doc.txt", DocumentFixtures.Utf8("Some text."))).GetProperty("id").GetGuid();
        Assert.Equal(new[] { 1 }, await VersionsStagedForAsync(id));

        var reprocess = await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", new { chunkSize = 256, overlap = 32 });
        Assert.Equal(HttpStatusCode.Accepted, reprocess.StatusCode);
        var body = await reprocess.ReadJsonAsync();
        Assert.Equal(2, body.GetProperty("version").GetInt32());
        Assert.Equal("UPLOADED", body.GetProperty("status").GetString());
        Assert.Equal(256, body.GetProperty("chunkSize").GetInt32());
        Assert.Equal(32, body.GetProperty("overlap").GetInt32());

        // No body: the configured defaults.
        var again = await tenant.Client.PostAsync($"/api/v1/documents/{id}/process", null);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(3, (await again.ReadJsonAsync()).GetProperty("version").GetInt32());
        Assert.Equal(new[] { 1, 2, 3 }, await VersionsStagedForAsync(id));

        var stored = await factory.InSystemScopeAsync(db => db.Documents.SingleAsync(d => d.Id == id));
        Assert.Equal(3, stored.Version);
        Assert.Equal(DocumentStatus.Uploaded, stored.Status);
        Assert.Equal(tenant.TenantId, stored.TenantId);
        Assert.Equal(tenant.UserId, stored.UploadedByUserId);
        Assert.Equal(64, stored.Sha256.Length);
    }

    [Fact]
    public async Task Reprocess_settings_are_validated()
    {
        var tenant = await factory.CreateTenantAsync();
        var id = (await tenant.Client.UploadOkAsync("doc.txt", DocumentFixtures.Utf8("Some text."))).GetProperty("id").GetGuid();

        async Task<JsonElement> RefusedAsync(object body) =>
            (await (await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", body)).AssertErrorAsync(422, "VALIDATION_ERROR"))
            .GetProperty("details");

        Assert.True((await RefusedAsync(new { chunkSize = 31 })).TryGetProperty("chunkSize", out _));
        Assert.True((await RefusedAsync(new { chunkSize = 4097 })).TryGetProperty("chunkSize", out _));
        Assert.True((await RefusedAsync(new { chunkSize = 100, overlap = 50 })).TryGetProperty("overlap", out _));
        Assert.True((await RefusedAsync(new { chunkSize = 100, overlap = -1 })).TryGetProperty("overlap", out _));
        Assert.Equal(1, await factory.InSystemScopeAsync(db => db.Documents.Where(d => d.Id == id).Select(d => d.Version).SingleAsync()));

        var ok = await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", new { chunkSize = 100, overlap = 49 });
        Assert.Equal(HttpStatusCode.Accepted, ok.StatusCode);
        // Only a chunk size: the default overlap shrinks to fit it.
        var small = await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", new { chunkSize = 32 });
        Assert.Equal(HttpStatusCode.Accepted, small.StatusCode);
        Assert.True((await small.ReadJsonAsync()).GetProperty("overlap").GetInt32() * 2 < 32);

        await (await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{Guid.NewGuid()}/process", new { }))
            .AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task Members_upload_and_read()
    {
        var tenant = await factory.CreateTenantAsync();
        var member = await TestMembers.InviteAndSignInAsync(factory, tenant);
        var id = (await member.UploadOkAsync("member.txt", DocumentFixtures.Utf8("From a member."))).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/v1/documents/{id}/download")).StatusCode);
    }

    [Fact]
    public async Task Another_tenants_documents_are_invisible()
    {
        var owner = await factory.CreateTenantAsync();
        var stranger = await factory.CreateTenantAsync();
        var id = (await owner.Client.UploadOkAsync("secret.txt", DocumentFixtures.Utf8("Top secret."))).GetProperty("id").GetGuid();

        await (await stranger.Client.GetAsync($"/api/v1/documents/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await stranger.Client.GetAsync($"/api/v1/documents/{id}/download")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await stranger.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", new { }))
            .AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await stranger.Client.DeleteAsync($"/api/v1/documents/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        var list = await (await stranger.Client.GetAsync("/api/v1/documents?search=secret")).ReadJsonAsync();
        Assert.Equal(0, list.GetProperty("total").GetInt32());

        // Still there, untouched, for its owner.
        var document = await (await owner.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal(1, document.GetProperty("version").GetInt32());
        Assert.Equal(DocumentFixtures.Utf8("Top secret."), await (await owner.Client.GetAsync($"/api/v1/documents/{id}/download")).Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Row_level_security_hides_documents_and_blobs_from_raw_sql_of_another_tenant()
    {
        var owner = await factory.CreateTenantAsync();
        var stranger = await factory.CreateTenantAsync();
        var id = (await owner.Client.UploadOkAsync("secret.txt", DocumentFixtures.Utf8("Top secret."))).GetProperty("id").GetGuid();

        // Raw SQL bypasses the EF query filters: only PostgreSQL's policies stand in the way.
        var (documents, blobs) = await factory.InTenantScopeAsync(stranger.TenantId, async (db, _) => (
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM documents WHERE id = {id}").SingleAsync(),
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM document_blobs").SingleAsync()));
        Assert.Equal(0, documents);
        Assert.Equal(0, blobs);

        var (ownDocuments, ownBlobs) = await factory.InTenantScopeAsync(owner.TenantId, async (db, _) => (
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM documents WHERE id = {id}").SingleAsync(),
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM document_blobs").SingleAsync()));
        Assert.Equal(1, ownDocuments);
        Assert.Equal(1, ownBlobs);
    }

    [Fact]
    public async Task Anonymous_requests_are_401()
    {
        var anonymous = factory.CreateClient();
        await (await anonymous.GetAsync("/api/v1/documents")).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        await (await anonymous.PostAsync("/api/v1/documents", DocumentFixtures.Form("a.txt", DocumentFixtures.Utf8("x"))))
            .AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    private async Task<int[]> VersionsStagedForAsync(Guid documentId)
    {
        var payloads = await factory.InSystemScopeAsync(db => db.OutboxMessages
            .Where(m => m.EventType == DocumentUploadedIntegrationEvent.Type)
            .Select(m => m.Payload).ToListAsync());
        return payloads
            .Select(p => JsonSerializer.Deserialize<DocumentUploadedIntegrationEvent>(p, TestJson.Options)!)
            .Where(e => e.DocumentId == documentId)
            .Select(e => e.Version)
            .Order()
            .ToArray();
    }
}
