using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>A Worker stopped in the middle of a document: the next one finishes it, once.</summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerRestartTests(ManualWorkerKnowledgeFixture fixture) : IClassFixture<ManualWorkerKnowledgeFixture>
{
    [Fact]
    public async Task A_worker_stopped_mid_document_leaves_it_to_the_next_which_indexes_it_exactly_once()
    {
        var tenant = await fixture.CreateTenantAsync();
        // Embeddings from a remote model, 4 chunks a call, one call at a time: the third call never answers, so the
        // first Worker is stopped with 8 chunks embedded and the rest waiting.
        fixture.Fake.EnqueueEmbeddings(FakeReply.Text(""), FakeReply.Text(""), FakeReply.Hang());
        var settings = fixture.Fake.EmbeddingProviderSettings();
        settings["Ingestion:EmbeddingBatchSize"] = "4";
        settings["Ingestion:EmbeddingConcurrency"] = "1";
        // A graceful stop hands the document back uncounted: counted, one interruption would be enough to give it up.
        settings["EventBus:MaxInterruptedDeliveries"] = "1";
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
        Assert.Equal(0, await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) => db.DocumentChunks.CountAsync(c => c.DocumentId == id)));

        fixture.ReplaceWorker(fixture.StartWorker(settings));
        var done = await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "PROCESSED");

        var chunkCount = done.GetProperty("chunkCount").GetInt32();
        Assert.True(chunkCount > 8, $"expected a document of more than two batches, got {chunkCount} chunks");
        var ordinals = await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) =>
            db.DocumentChunks.Where(c => c.DocumentId == id).Select(c => c.Ordinal).OrderBy(o => o).ToListAsync());
        Assert.Equal(Enumerable.Range(0, chunkCount), ordinals);
        var processedEvents = await fixture.InSystemScopeAsync(db =>
            db.Database.SqlQuery<int>(
                $"""
                SELECT count(*)::int AS "Value" FROM outbox_messages
                WHERE event_type = {DocumentStatusChangedIntegrationEvent.Type} AND payload->>'documentId' = {id.ToString()}
                  AND payload->>'status' = {nameof(DocumentStatus.Processed)}
                """).SingleAsync());
        Assert.Equal(1, processedEvents);
    }
}
