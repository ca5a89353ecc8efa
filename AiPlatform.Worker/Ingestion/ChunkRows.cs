using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Index;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Writes chunks with one INSERT per batch, the columns passed as arrays and unnested server-side: EF would send a
/// statement per few dozen rows, and binary COPY is refused on tables with row-level security.
/// </summary>
public static class ChunkRows
{
    private const string InsertSql =
        """
        INSERT INTO document_chunks (id, tenant_id, document_id, document_version, ordinal, text, token_count, page, heading,
                                     embedding, embedding_generator, embedding_dimensions)
        SELECT c.id, @tenant, @document, @version, c.ordinal, c.text, c.token_count, c.page, c.heading,
               @vectors[(c.n - 1) * @dimensions + 1 : c.n * @dimensions], @generator, @dimensions
        FROM unnest(@ids, @ordinals, @texts, @token_counts, @pages, @headings)
             WITH ORDINALITY AS c(id, ordinal, text, token_count, page, heading, n)
        """;

    public static Task InsertAsync(
        AppDbContext db, DocumentUploadedIntegrationEvent job, IReadOnlyList<Chunk> chunks, float[] vectors,
        EmbeddingGeneratorSelection generator, int first, int count, CancellationToken cancellationToken)
    {
        var batch = chunks.Skip(first).Take(count).ToArray();
        var dimensions = generator.Dimensions;
        return db.Database.ExecuteSqlRawAsync(InsertSql,
        [
            new NpgsqlParameter("tenant", job.TenantId),
            new NpgsqlParameter("document", job.DocumentId),
            new NpgsqlParameter("version", job.Version),
            new NpgsqlParameter("vectors", vectors.AsSpan(first * dimensions, count * dimensions).ToArray()),
            new NpgsqlParameter("dimensions", dimensions),
            new NpgsqlParameter("generator", generator.GeneratorId),
            new NpgsqlParameter("ids", batch.Select(_ => Guid.CreateVersion7()).ToArray()),
            new NpgsqlParameter("ordinals", batch.Select(c => c.Index).ToArray()),
            new NpgsqlParameter("texts", batch.Select(c => c.Text).ToArray()),
            new NpgsqlParameter("token_counts", batch.Select(c => c.TokenCount).ToArray()),
            new NpgsqlParameter("pages", batch.Select(c => c.Page).ToArray()),
            new NpgsqlParameter("headings", batch.Select(c => Truncate(c.Heading)).ToArray()),
        ], cancellationToken);
    }

    /// <summary>
    /// Moves the chunks waiting in the full-text index's pending list into the index proper, in the transaction that
    /// inserted them: committed chunks are then found without the linear read of the pending list, and a document's
    /// chunks merge in one batch, which costs less per chunk than the small merges the pending list limit would make.
    /// Only the index's owner may merge (the app's role, which migrates the schema); any other role leaves the chunks to
    /// the automatic merges rather than fail the document.
    /// </summary>
    public static Task MergePendingSearchEntriesAsync(AppDbContext db, CancellationToken cancellationToken) =>
        db.Database.ExecuteSqlRawAsync(
            $"""
            SELECT gin_clean_pending_list(c.oid) FROM pg_class c
            WHERE c.oid = '{DocumentChunkConfiguration.SearchIndexName}'::regclass AND pg_has_role(c.relowner, 'USAGE')
            """, cancellationToken);

    private static string? Truncate(string? heading) =>
        heading is { Length: > DocumentChunkLimits.HeadingLength } ? heading[..DocumentChunkLimits.HeadingLength] : heading;
}
