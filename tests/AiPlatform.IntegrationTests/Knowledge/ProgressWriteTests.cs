using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// A document whose embedding ends while a progress write is in flight still reaches PROCESSED: stopping the progress
/// writer must not disturb the connection the chunks are stored on.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class ProgressWriteTests(ManualWorkerKnowledgeFixture fixture) : IClassFixture<ManualWorkerKnowledgeFixture>
{
    [Fact]
    public async Task Documents_finishing_in_the_middle_of_a_progress_write_are_all_indexed()
    {
        var tenant = await fixture.CreateTenantAsync();
        // Progress written back to back, so nearly every document ends its embedding with a write in flight.
        fixture.ReplaceWorker(fixture.StartWorker(new Dictionary<string, string?> { ["Ingestion:ProgressInterval"] = "00:00:00.001" }));
        await fixture.Broker.WaitForConsumerAsync();

        var ids = new List<Guid>();
        for (var i = 0; i < 24; i++)
        {
            var text = string.Join("\n\n", Enumerable.Range(0, 20 + i * 7).Select(p => $"Paragraph {p} of document {i}: the keeper trims the lamp and logs the weather at dusk."));
            ids.Add((await tenant.Client.UploadOkAsync($"log-{i}.txt", DocumentFixtures.Utf8(text))).GetProperty("id").GetGuid());
        }

        foreach (var id in ids)
        {
            await KnowledgeFixture.WaitForStatusAsync(tenant.Client, id, "PROCESSED", TimeSpan.FromSeconds(60));
        }
    }
}
