using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Knowledge.Index;

/// <summary>
/// A counter per tenant that rises in the same transaction as every change to the tenant's chunks, so any API
/// instance can tell with one cheap read whether its in-memory copy of the tenant's vectors is still current.
/// </summary>
public sealed class KnowledgeRevision : ITenantOwned
{
    public Guid TenantId { get; init; }
    public long Revision { get; init; }
}

public static class KnowledgeRevisionExtensions
{
    /// <summary>Marks the tenant's chunks as changed; call it inside the transaction that changes them.</summary>
    public static Task BumpKnowledgeRevisionAsync(this AppDbContext db, Guid tenantId, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO knowledge_revisions (tenant_id, revision) VALUES ({tenantId}, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET revision = knowledge_revisions.revision + 1
            """, cancellationToken);
}
