using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>What a starting Worker queues by itself: documents whose job was lost, and documents embedded by a generator their tenant no longer uses.</summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerStartupTests(WorkerStartupTests.Fixture fixture) : IClassFixture<WorkerStartupTests.Fixture>, IAsyncLifetime
{
    public sealed class Fixture : KnowledgeFixture
    {
        protected override bool StartsWorker => false;
    }

    private FakeOpenAiServer _embeddings = null!;

    public async Task InitializeAsync() => _embeddings = await FakeOpenAiServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (fixture.Worker is { } worker)
        {
            await worker.DisposeAsync();
            fixture.ReplaceWorker(null);
        }
        await _embeddings.DisposeAsync();
    }

    [Fact]
    public async Task A_document_whose_job_was_lost_is_processed_when_a_worker_starts()
    {
        var tenant = await fixture.CreateTenantAsync();
        var id = (await tenant.Client.UploadOkAsync("orphan.txt", DocumentFixtures.Utf8("Lighthouses guide ships at night."))).GetProperty("id").GetGuid();
        // As if the event had been published while no Worker had bound its queue: the broker dropped it.
        await fixture.InTenantAsync(tenant.TenantId, async db =>
        {
            using var system = db.Tenant.BeginSystemScope();
            return await db.Database.ExecuteSqlAsync(
                $"DELETE FROM outbox_messages WHERE event_type = {DocumentUploadedIntegrationEvent.Type} AND payload->>'documentId' = {id.ToString()}");
        });

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
        fixture.ReplaceWorker(fixture.StartWorker(new Dictionary<string, string?>
        {
            [$"Embeddings:Tenants:{tenant.TenantId}"] = "remote",
            ["Embeddings:Providers:0:Name"] = "remote",
            ["Embeddings:Providers:0:Endpoint"] = new Uri(_embeddings.Endpoint, "v1").ToString(),
            ["Embeddings:Providers:0:Model"] = "fake-embed",
            ["Embeddings:Providers:0:Dimensions"] = "64",
        }));

        await Eventually.TrueAsync(async () => (await GeneratorsAsync(tenant.TenantId, id)).SequenceEqual([("openai:fake-embed", 64)]),
            TimeSpan.FromSeconds(60), "the document to be embedded by the tenant's new generator");
        var document = await (await tenant.Client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
        Assert.Equal("PROCESSED", document.GetProperty("status").GetString());
        Assert.Equal(1, document.GetProperty("chunkCount").GetInt32());
    }

    private Task<List<(string, int)>> GeneratorsAsync(Guid tenantId, Guid documentId) => fixture.InTenantAsync(tenantId, async db =>
        (await db.DocumentChunks.Where(c => c.DocumentId == documentId)
            .Select(c => new { c.EmbeddingGenerator, c.EmbeddingDimensions }).Distinct().ToListAsync())
        .Select(g => (g.EmbeddingGenerator, g.EmbeddingDimensions)).ToList());
}
