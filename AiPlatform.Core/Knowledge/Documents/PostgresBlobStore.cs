using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>
/// The default <see cref="IBlobStore"/>: bytes in the tenant-owned <c>document_blobs</c> table (bytea), under the same
/// tenant isolation as every other row. Fine up to the configured upload limits (tens of megabytes).
/// </summary>
public sealed class PostgresBlobStore(AppDbContext db, TimeProvider clock) : IBlobStore
{
    public async Task PutAsync(Guid tenantId, Guid blobId, Stream content, CancellationToken cancellationToken = default)
    {
        byte[] bytes;
        if (content is MemoryStream { Position: 0 } memory && memory.TryGetBuffer(out var segment) && segment.Offset == 0
            && segment.Count == segment.Array!.Length)
        {
            bytes = segment.Array;
        }
        else
        {
            using var copy = content.CanSeek ? new MemoryStream(checked((int)(content.Length - content.Position))) : new MemoryStream();
            await content.CopyToAsync(copy, cancellationToken);
            bytes = copy.Length == copy.Capacity ? copy.GetBuffer() : copy.ToArray();
        }

        var blob = new DocumentBlob
        {
            Id = blobId,
            TenantId = tenantId,
            Content = bytes,
            Size = bytes.LongLength,
            CreatedAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Set<DocumentBlob>().Add(blob);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        finally
        {
            // Don't keep megabytes in the change tracker for the rest of the request.
            db.Entry(blob).State = EntityState.Detached;
        }
    }

    public async Task<Stream?> OpenReadAsync(Guid tenantId, Guid blobId, CancellationToken cancellationToken = default)
    {
        var bytes = await db.Set<DocumentBlob>().AsNoTracking()
            .Where(b => b.Id == blobId && b.TenantId == tenantId)
            .Select(b => b.Content)
            .SingleOrDefaultAsync(cancellationToken);
        return bytes is null ? null : new MemoryStream(bytes, writable: false);
    }

    public async Task<bool> DeleteAsync(Guid tenantId, Guid blobId, CancellationToken cancellationToken = default) =>
        await db.Set<DocumentBlob>().Where(b => b.Id == blobId && b.TenantId == tenantId).ExecuteDeleteAsync(cancellationToken) > 0;
}
