using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Runs the ingestion pipeline for each <c>document.uploaded</c> job. The pipeline commits its own work (progress,
/// chunks, status); this handler's inbox transaction only holds the document's lock, so a duplicate delivery, here or
/// on another Worker, waits for the running job and then finds the version already indexed.
/// </summary>
public sealed class DocumentUploadedHandler(AppDbContext db, DocumentIngestor ingestor, IntegrationEventDelivery delivery)
    : IIntegrationEventHandler<DocumentUploadedIntegrationEvent>
{
    public Guid? TenantOf(DocumentUploadedIntegrationEvent integrationEvent) => integrationEvent.TenantId;

    public async Task HandleAsync(DocumentUploadedIntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var lockKey = $"document:{integrationEvent.DocumentId}";
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({lockKey}, 0))", cancellationToken);
        await ingestor.IngestAsync(integrationEvent, delivery, cancellationToken);
    }

    public Task GiveUpAsync(DocumentUploadedIntegrationEvent integrationEvent, int interruptions, CancellationToken cancellationToken) =>
        ingestor.GiveUpAsync(integrationEvent, interruptions, cancellationToken);
}
