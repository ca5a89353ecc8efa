using System.Net.Http.Json;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

[Collection(MessagingCollection.Name)]
public sealed class IngestionTests(KnowledgeFixture fixture) : IClassFixture<KnowledgeFixture>
{
    [Fact]
    public async Task Every_supported_type_is_processed_into_chunks_with_progress_and_timing()
    {
        var tenant = await fixture.CreateTenantAsync();
        foreach (var (fileName, content, _) in DocumentFixtures.OneOfEach())
        {
            var document = await fixture.UploadProcessedAsync(tenant.Client, fileName, content);
            Assert.True(document.GetProperty("chunkCount").GetInt32() >= 1, document.ToString());
            var progress = document.GetProperty("progress");
            Assert.Equal(document.GetProperty("chunkCount").GetInt32(), progress.GetProperty("done").GetInt32());
            Assert.Equal(progress.GetProperty("total").GetInt32(), progress.GetProperty("done").GetInt32());
            Assert.True(document.GetProperty("processingTime").GetInt64() >= 0);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, document.GetProperty("error").ValueKind);
            if (fileName.EndsWith(".pdf", StringComparison.Ordinal))
            {
                Assert.Equal(1, document.GetProperty("pageCount").GetInt32());
            }
        }
    }

    [Fact]
    public async Task Chunks_keep_page_numbers_and_are_stored_once_per_document()
    {
        var tenant = await fixture.CreateTenantAsync();
        var pdf = DocumentFixtures.PdfPages("Volcanoes release sulfur dioxide into the stratosphere.", "Glaciers carve valleys over thousands of years.");
        var document = await fixture.UploadProcessedAsync(tenant.Client, "earth.pdf", pdf);
        var id = document.GetProperty("id").GetGuid();
        Assert.Equal(2, document.GetProperty("pageCount").GetInt32());

        var chunks = await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) =>
            db.DocumentChunks.Where(c => c.DocumentId == id).OrderBy(c => c.Ordinal).Select(c => new { c.Page, c.Text, c.EmbeddingGenerator, c.EmbeddingDimensions }).ToListAsync());
        Assert.Equal([1, 2], chunks.Select(c => c.Page ?? 0));
        Assert.Contains("Glaciers", chunks[1].Text);
        Assert.All(chunks, c => Assert.Equal(("local-glove-100d", 100), (c.EmbeddingGenerator, c.EmbeddingDimensions)));

        var hits = await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "ice sheets shaping the landscape", topK = 1 });
        Assert.Equal(2, hits.Single().GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task The_document_list_searches_names_and_indexed_content()
    {
        var tenant = await fixture.CreateTenantAsync();
        await fixture.UploadProcessedAsync(tenant.Client, "penguins.txt", DocumentFixtures.Utf8("Emperor penguins huddle together through the Antarctic winter."));
        await fixture.UploadProcessedAsync(tenant.Client, "camels.txt", DocumentFixtures.Utf8("Camels store fat in their humps to cross the desert."));

        var byContent = await (await tenant.Client.GetAsync("/api/v1/documents?search=huddling")).ReadJsonAsync();
        Assert.Equal(["penguins.txt"], byContent.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("filename").GetString()));
        var byName = await (await tenant.Client.GetAsync("/api/v1/documents?search=camel")).ReadJsonAsync();
        Assert.Equal(["camels.txt"], byName.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("filename").GetString()));
    }

    [Fact]
    public async Task Reprocessing_with_new_settings_replaces_the_chunks()
    {
        var tenant = await fixture.CreateTenantAsync();
        var text = string.Join("\n\n", Enumerable.Range(1, 40).Select(i => $"Paragraph {i} talks about topic number {i} at some length, with several words."));
        var id = (await fixture.UploadProcessedAsync(tenant.Client, "long.txt", DocumentFixtures.Utf8(text))).GetProperty("id").GetGuid();
        var before = await ChunkCountAsync(tenant.TenantId, id);

        var response = await tenant.Client.PostAsJsonAsync($"/api/v1/documents/{id}/process", new { chunkSize = 64, overlap = 8 });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var document = await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "PROCESSED");
        Assert.Equal(2, document.GetProperty("version").GetInt32());

        var after = await ChunkCountAsync(tenant.TenantId, id);
        Assert.True(after > before, $"{after} chunks of 64 tokens should outnumber {before} of 512");
        Assert.Equal(after, document.GetProperty("chunkCount").GetInt32());
        var versions = await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) =>
            db.DocumentChunks.Where(c => c.DocumentId == id).Select(c => c.DocumentVersion).Distinct().ToListAsync());
        Assert.Equal([2], versions);
    }

    [Fact]
    public async Task Deleting_a_document_removes_its_chunks_from_the_index_and_from_search()
    {
        var tenant = await fixture.CreateTenantAsync();
        var id = (await fixture.UploadProcessedAsync(tenant.Client, "otters.txt", DocumentFixtures.Utf8("Sea otters hold hands while they sleep."))).GetProperty("id").GetGuid();
        Assert.Single(await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "otters sleeping" }));

        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/documents/{id}")).StatusCode);
        Assert.Equal(0, await ChunkCountAsync(tenant.TenantId, id));
        Assert.Empty(await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "otters sleeping" }));
    }

    [Fact]
    public async Task An_unreadable_document_ends_in_error_with_a_reason_and_in_the_dead_letter_queue()
    {
        var tenant = await fixture.CreateTenantAsync();
        // A PDF header (so the upload is accepted as a PDF) over a body no parser can read.
        var broken = DocumentFixtures.Utf8("%PDF-1.7\n" + new string('x', 2000));
        var id = (await tenant.Client.UploadOkAsync("broken.pdf", broken)).GetProperty("id").GetGuid();

        var document = await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "ERROR");
        Assert.Contains("PDF", document.GetProperty("error").GetString());
        await Eventually.TrueAsync(async () => await fixture.Broker.CountAsync(fixture.Broker.Topology.DeadLetterQueue) >= 1,
            TimeSpan.FromSeconds(30), "the poison job in the dead-letter queue");
        var dead = await fixture.Broker.GetAsync(fixture.Broker.Topology.DeadLetterQueue);
        Assert.NotNull(dead);
        Assert.Equal("document.uploaded", dead.BasicProperties.Type);
        Assert.Contains(id.ToString(), System.Text.Encoding.UTF8.GetString(dead.Body.Span));

        // The worker is still healthy: the next document goes through.
        await fixture.UploadProcessedAsync(tenant.Client, "fine.txt", DocumentFixtures.Utf8("Everything is fine."));
    }

    private Task<int> ChunkCountAsync(Guid tenantId, Guid documentId) =>
        fixture.InTenantScopeAsync(tenantId, (db, _) => db.DocumentChunks.CountAsync(c => c.DocumentId == documentId));
}
