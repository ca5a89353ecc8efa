using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>A Worker stopped in the middle of a document: the next one finishes it, once.</summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerRestartTests(WorkerRestartTests.Fixture fixture) : IClassFixture<WorkerRestartTests.Fixture>, IAsyncLifetime
{
    public sealed class Fixture : KnowledgeFixture
    {
        protected override bool StartsWorker => false;
    }

    private FakeOpenAiServer _embeddings = null!;

    public async Task InitializeAsync() => _embeddings = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync() => await _embeddings.DisposeAsync();

    [Fact]
    public async Task A_worker_stopped_mid_document_leaves_it_to_the_next_which_indexes_it_exactly_once()
    {
        var tenant = await fixture.CreateTenantAsync();
        // Embeddings from a remote model, 4 chunks a call, one call at a time: the third call never answers, so the
        // first Worker is stopped with 8 chunks embedded and the rest waiting.
        _embeddings.EnqueueEmbeddings(FakeReply.Text(""), FakeReply.Text(""), FakeReply.Hang());
        Dictionary<string, string?> settings = new()
        {
            ["Embeddings:Default"] = "remote",
            ["Embeddings:Providers:0:Name"] = "remote",
            ["Embeddings:Providers:0:Endpoint"] = new Uri(_embeddings.Endpoint, "v1").ToString(),
            ["Embeddings:Providers:0:Model"] = "fake-embed",
            ["Embeddings:Providers:0:Dimensions"] = "64",
            ["Ingestion:EmbeddingBatchSize"] = "4",
            ["Ingestion:EmbeddingConcurrency"] = "1",
        };
        var first = fixture.StartWorker(settings);
        fixture.ReplaceWorker(first);
        await fixture.Broker.WaitForConsumerAsync();

        var text = string.Join("\n\n", Enumerable.Range(1, 30).Select(i => $"Section {i}. " + string.Concat(Enumerable.Repeat($"Fact {i} about lighthouses. ", 150))));
        var id = (await tenant.Client.UploadOkAsync("lighthouses.txt", DocumentFixtures.Utf8(text))).GetProperty("id").GetGuid();
        await Eventually.TrueAsync(async () =>
        {
            var document = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
            return document.GetProperty("status").GetString() == "PROCESSING" && document.GetProperty("progress").GetProperty("done").GetInt32() >= 8;
        }, TimeSpan.FromSeconds(30), "the first worker to be part-way through the document");

        await first.DisposeAsync();
        fixture.ReplaceWorker(null);
        var stopped = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal("PROCESSING", stopped.GetProperty("status").GetString());
        Assert.Equal(0, await fixture.InTenantAsync(tenant.TenantId, db => db.DocumentChunks.CountAsync(c => c.DocumentId == id)));

        fixture.ReplaceWorker(fixture.StartWorker(settings));
        var done = await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "PROCESSED");

        var chunkCount = done.GetProperty("chunkCount").GetInt32();
        Assert.True(chunkCount > 8, $"expected a document of more than two batches, got {chunkCount} chunks");
        var ordinals = await fixture.InTenantAsync(tenant.TenantId, db =>
            db.DocumentChunks.Where(c => c.DocumentId == id).Select(c => c.Ordinal).OrderBy(o => o).ToListAsync());
        Assert.Equal(Enumerable.Range(0, chunkCount), ordinals);
        var processedEvents = await fixture.InTenantAsync(tenant.TenantId, db =>
        {
            using var system = db.Tenant.BeginSystemScope();
            return db.Database.SqlQuery<int>(
                $"""
                SELECT count(*)::int AS "Value" FROM outbox_messages
                WHERE event_type = {DocumentStatusChangedIntegrationEvent.Type} AND payload->>'documentId' = {id.ToString()}
                  AND payload->>'status' = {nameof(DocumentStatus.Processed)}
                """).SingleAsync();
        });
        Assert.Equal(1, processedEvents);
    }
}
