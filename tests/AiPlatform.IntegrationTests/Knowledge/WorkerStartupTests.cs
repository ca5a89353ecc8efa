using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>What a starting Worker queues by itself: documents whose job was lost, and documents embedded by a generator their tenant no longer uses.</summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerStartupTests(ManualWorkerKnowledgeFixture fixture) : IClassFixture<ManualWorkerKnowledgeFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    // Each test starts the Workers it needs.
    public async Task DisposeAsync()
    {
        if (fixture.Worker is { } worker)
        {
            await worker.DisposeAsync();
            fixture.ReplaceWorker(null);
        }
    }

    [Fact]
    public async Task A_document_whose_job_was_lost_is_processed_when_a_worker_starts()
    {
        var tenant = await fixture.CreateTenantAsync();
        var id = (await tenant.Client.UploadOkAsync("orphan.txt", DocumentFixtures.Utf8("Lighthouses guide ships at night."))).GetProperty("id").GetGuid();
        // As if the event had been published while no Worker had bound its queue: the broker dropped it.
        await fixture.InSystemScopeAsync(db => db.Database.ExecuteSqlAsync(
            $"DELETE FROM outbox_messages WHERE event_type = {DocumentUploadedIntegrationEvent.Type} AND payload->>'documentId' = {id.ToString()}"));

        fixture.ReplaceWorker(fixture.StartWorker());

        await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "PROCESSED");
    }

    [Fact]
    public async Task Chunks_of_a_generator_the_tenant_no_longer_uses_are_embedded_again_when_a_worker_starts()
    {
        var tenant = await fixture.CreateTenantAsync();
        fixture.ReplaceWorker(fixture.StartWorker());
        var id = (await fixture.UploadProcessedAsync(tenant.Client, "ships.txt", DocumentFixtures.Utf8("Ships sail at night guided by lighthouses.")))
            .GetProperty("id").GetGuid();
        Assert.Equal([("local-glove-100d", 100)], await GeneratorsAsync(tenant.TenantId, id));
        await fixture.Worker!.DisposeAsync();

        // The tenant moves to a remote model: the next Worker finds the old vectors and embeds the document again.
        fixture.ReplaceWorker(fixture.StartWorker(fixture.Fake.EmbeddingProviderSettings(tenant.TenantId)));

        await Eventually.TrueAsync(async () => (await GeneratorsAsync(tenant.TenantId, id)).SequenceEqual([("openai:fake-embed", 64)]),
            TimeSpan.FromSeconds(60), "the document to be embedded by the tenant's new generator");
        var document = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal("PROCESSED", document.GetProperty("status").GetString());
        Assert.Equal(1, document.GetProperty("chunkCount").GetInt32());
    }

    private Task<List<(string, int)>> GeneratorsAsync(Guid tenantId, Guid documentId) => fixture.InTenantScopeAsync(tenantId, async (db, _) =>
        (await db.DocumentChunks.Where(c => c.DocumentId == documentId)
            .Select(c => new { c.EmbeddingGenerator, c.EmbeddingDimensions }).Distinct().ToListAsync())
        .Select(g => (g.EmbeddingGenerator, g.EmbeddingDimensions)).ToList());
}
