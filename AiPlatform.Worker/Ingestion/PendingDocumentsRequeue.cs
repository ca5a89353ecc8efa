using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Once at start-up, queues a job again for every document that needs one: still UPLOADED (its event may have been
/// published while no Worker had bound its queue, and the broker drops what no queue wants), or PROCESSED with chunks
/// from an embedding generator its tenant no longer uses (so they are embedded again). A job that turns out to be a
/// duplicate is harmless: the pipeline skips versions already indexed. Documents in ERROR stay there (only a reprocess
/// request queues them again): among them are the ones given up because processing them kept killing the Worker, and
/// queueing those on every start would bring back the crash loop the give-up ended.
/// </summary>
public sealed class PendingDocumentsRequeue(IServiceScopeFactory scopes, IEmbeddingGeneratorProvider embeddings, ILogger<PendingDocumentsRequeue> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            using var system = db.Tenant.BeginSystemScope();
            var queued = await db.InTransactionAsync(async ct =>
            {
                var pending = await JobsForAsync(db.Documents.Where(d => d.Status == DocumentStatus.Uploaded), ct);
                var reembed = await StaleEmbeddingsAsync(db, ct);
                foreach (var job in pending.Concat(reembed))
                {
                    db.AddIntegrationEvent(job);
                }
                await db.SaveChangesAsync(ct);
                return (Pending: pending.Count, Reembed: reembed.Count);
            }, stoppingToken);
            logger.LogInformation("Queued {Pending} unprocessed documents and {Reembed} documents to embed again", queued.Pending, queued.Reembed);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // New uploads still flow; the next start tries again.
            logger.LogError(ex, "Could not queue pending documents");
        }
    }

    private static Task<List<DocumentUploadedIntegrationEvent>> JobsForAsync(IQueryable<Document> documents, CancellationToken cancellationToken) =>
        documents.Select(d => new DocumentUploadedIntegrationEvent(d.Id, d.TenantId, d.Version)).ToListAsync(cancellationToken);

    private async Task<List<DocumentUploadedIntegrationEvent>> StaleEmbeddingsAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var generatorsInUse = await db.DocumentChunks.Select(c => new { c.TenantId, c.EmbeddingGenerator }).Distinct().ToListAsync(cancellationToken);
        var stale = new List<DocumentUploadedIntegrationEvent>();
        foreach (var tenant in generatorsInUse.GroupBy(g => g.TenantId))
        {
            var current = embeddings.GetGenerator(tenant.Key).GeneratorId;
            if (tenant.All(g => g.EmbeddingGenerator == current))
            {
                continue;
            }

            stale.AddRange(await JobsForAsync(db.Documents
                .Where(d => d.TenantId == tenant.Key && d.Status == DocumentStatus.Processed)
                .Where(d => db.DocumentChunks.Any(c => c.DocumentId == d.Id && c.EmbeddingGenerator != current)), cancellationToken));
        }
        return stale;
    }
}
