using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Commits one job's status and progress to its document, each write on its own, and only while the document is
/// still at the job's version (a newer version's job owns it after that).
/// </summary>
internal sealed class DocumentStatusWriter(AppDbContext db, DocumentUploadedIntegrationEvent job)
{
    private IQueryable<Document> ThisVersion => db.Documents.Where(d => d.Id == job.DocumentId && d.Version == job.Version);

    /// <summary>Sets the status (PROCESSING or ERROR here) with its event in one transaction.</summary>
    public Task ChangeAsync(DocumentStatus status, string? error, CancellationToken cancellationToken) =>
        db.InTransactionAsync(async ct =>
        {
            var errorText = error is { Length: > DocumentLimits.ErrorLength } ? error[..DocumentLimits.ErrorLength] : error;
            var changed = await ThisVersion.ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, status)
                .SetProperty(x => x.Error, errorText), ct);
            if (changed > 0)
            {
                var chunkCount = await ThisVersion.Select(d => d.ChunkCount).SingleAsync(ct);
                db.AddIntegrationEvent(new DocumentStatusChangedIntegrationEvent(job.DocumentId, job.TenantId, job.Version, status, chunkCount, errorText));
                await db.SaveChangesAsync(ct);
            }
            return changed > 0;
        }, cancellationToken);

    public Task ReportProgressAsync(int done, int total, CancellationToken cancellationToken) =>
        ThisVersion.ExecuteUpdateAsync(d => d
            .SetProperty(x => x.ProgressDone, done)
            .SetProperty(x => x.ProgressTotal, total), cancellationToken);
}
