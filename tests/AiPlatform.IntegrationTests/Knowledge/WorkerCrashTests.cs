using System.Text;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// A document whose processing kills the Worker every time (a parser's stack overflow, an out-of-memory kill): after
/// EventBus:MaxInterruptedDeliveries such deaths the next Worker gives it up, in ERROR and the dead-letter queue,
/// instead of dying on it for ever. The Workers here are processes, killed with SIGKILL, as such deaths end them.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class WorkerCrashTests(ManualWorkerKnowledgeFixture fixture, ITestOutputHelper output) : IClassFixture<ManualWorkerKnowledgeFixture>
{
    // In the poison document only. The model server hangs on it: the test kills the Worker whenever it is stuck there.
    private const string Poison = "Xyzzyplugh";

    [Fact]
    public async Task A_document_that_kills_every_worker_ends_in_ERROR_and_the_dead_letter_queue_and_spares_the_one_beside_it()
    {
        var tenant = await fixture.CreateTenantAsync();
        fixture.Fake.HangEmbeddingsContaining(Poison);
        var settings = fixture.Fake.EmbeddingProviderSettings();
        settings["EventBus:MaxInterruptedDeliveries"] = "2";
        settings["EventBus:ConsumerConcurrency"] = "2";
        // One embedding call at a time: the healthy document's wait behind the poison's, so it is mid-way when the Worker dies.
        settings["Ingestion:EmbeddingBatchSize"] = "4";
        settings["Ingestion:EmbeddingConcurrency"] = "1";

        using var first = fixture.StartWorkerProcess(settings);
        WorkerProcess? second = null;
        try
        {
            await fixture.Broker.WaitForConsumerAsync();
            var poison = await UploadAsync(tenant, "poison.txt", $"A file whose {Poison} no parser survives.");
            await WaitForPoisonCallsAsync(1);
            var healthy = await UploadAsync(tenant, "lighthouses.txt", string.Join("\n\n", Enumerable.Range(1, 12).Select(i =>
                $"Section {i}. " + string.Concat(Enumerable.Repeat($"Fact {i} about lighthouses. ", 60)))));
            await KnowledgeFixture.WaitForStatusAsync(tenant.Client, healthy, "PROCESSING");
            first.Kill();

            // Both were being processed when the Worker died, so each now runs alone: only the poison dies with the next.
            second = fixture.StartWorkerProcess(settings);
            await WaitForPoisonCallsAsync(2);
            second.Kill();

            fixture.ReplaceWorker(fixture.StartWorker(settings));
            var failed = await KnowledgeFixture.WaitForStatusAsync(tenant.Client, poison, "ERROR");
            Assert.Equal("Processing was interrupted 2 times (the worker stopped while reading this file); giving up.",
                failed.GetProperty("error").GetString());
            await KnowledgeFixture.WaitForStatusAsync(tenant.Client, healthy, "PROCESSED");
            await Eventually.TrueAsync(async () => await fixture.Broker.CountAsync(fixture.Broker.Topology.DeadLetterQueue) == 1,
                TimeSpan.FromSeconds(10), "the poison job in the dead-letter queue");

            // Not queued again by a Worker starting afterwards, which queues documents left waiting.
            await fixture.Worker!.DisposeAsync();
            fixture.ReplaceWorker(fixture.StartWorker(settings));
            await fixture.UploadProcessedAsync(tenant.Client, "harbours.txt", DocumentFixtures.Utf8("Harbours shelter ships from storms."));
            var after = await (await tenant.Client.GetAsync($"/api/v1/documents/{poison}")).ReadJsonAsync();
            Assert.Equal("ERROR", after.GetProperty("status").GetString());
            Assert.Equal(2, PoisonCalls());
            Assert.Equal(1, await UploadedJobsAsync(poison));
            var deadLetter = await fixture.Broker.GetAsync(fixture.Broker.Topology.DeadLetterQueue);
            Assert.Equal(DocumentUploadedIntegrationEvent.Type, deadLetter?.BasicProperties.Type);
            Assert.Contains(poison.ToString(), Encoding.UTF8.GetString(deadLetter!.Body.Span));
        }
        finally
        {
            output.WriteLine($"First worker:\n{first.Output}\n\nSecond worker:\n{second?.Output}");
            second?.Dispose();
        }
    }

    private static async Task<Guid> UploadAsync(TestTenant tenant, string fileName, string text) =>
        (await tenant.Client.UploadOkAsync(fileName, DocumentFixtures.Utf8(text))).GetProperty("id").GetGuid();

    private int PoisonCalls() => fixture.Fake.Requests.Count(r => r.Path == "/v1/embeddings" && r.Body.Contains(Poison));

    private Task WaitForPoisonCallsAsync(int calls) =>
        Eventually.TrueAsync(() => PoisonCalls() >= calls, TimeSpan.FromSeconds(60), $"embedding call {calls} for the poison document");

    private Task<int> UploadedJobsAsync(Guid documentId) =>
        fixture.InSystemScopeAsync(db => db.Database.SqlQuery<int>(
            $"""
            SELECT count(*)::int AS "Value" FROM outbox_messages
            WHERE event_type = {DocumentUploadedIntegrationEvent.Type} AND payload->>'documentId' = {documentId.ToString()}
            """).SingleAsync());
}
