using System.Diagnostics;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Embeddings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>
/// Hybrid retrieval over the tenant's chunks: PostgreSQL full-text ranking and cosine similarity, fused by reciprocal
/// rank fusion. The similarity comes from pgvector's HNSW index where the database has it (<see cref="PgVectorIndex"/>),
/// else from an exact scan of the tenant's cached vectors; either runs while one round trip fetches the tenant's
/// knowledge revision, the filter's documents and the full-text candidates (pgvector on a connection of its own). A
/// second round trip fetches the winners' text.
/// </summary>
public sealed class KnowledgeSearchService(
    AppDbContext db,
    IEmbeddingGeneratorProvider embeddings,
    TenantVectorCache vectorCache,
    PgVectorIndex vectorIndex,
    TenantSessionInterceptor session,
    IOptions<KnowledgeSearchOptions> options,
    ILogger<KnowledgeSearchService> logger)
{
    public const int MaxTopK = 50;

    private readonly KnowledgeSearchOptions _options = options.Value;

    /// <exception cref="DomainException">An assistant or documents in the filter don't exist for the tenant.</exception>
    public async Task<IReadOnlyList<KnowledgeHit>> SearchAsync(KnowledgeQuery query, CancellationToken cancellationToken)
    {
        var tenantId = db.Tenant.RequiredTenantId;
        var generator = embeddings.GetGenerator(tenantId);
        Task<ReadOnlyMemory<float>> embedding = generator.Generator.GenerateVectorAsync(query.Query, cancellationToken: cancellationToken);

        // The vector side runs while the full-text statements do: pgvector's search on a connection of its own, with
        // the filter in SQL; without a filter, the in-memory scan needs nothing from the database, so it runs on the
        // vectors already cached, and its result is kept if the revision shows they are still current.
        var indexed = vectorIndex.Serves(generator.Dimensions)
            ? vectorIndex.NearestAsync(tenantId, generator, embedding, _options.CandidatesPerList, _options.MinSimilarity,
                query.AssistantId, query.DocumentIds?.ToArray(), cancellationToken)
            : null;
        var cached = indexed is null && query.AssistantId is null && query.DocumentIds is null ? vectorCache.Peek(tenantId, generator.GeneratorId) : null;
        var early = indexed ?? (cached is null ? null : Task.Run(async () => cached.Nearest(await embedding, _options.CandidatesPerList, _options.MinSimilarity, null), cancellationToken));

        // One connection for every read: the tenant's session settings go along with the first.
        try
        {
            return await SearchOpenAsync(query, tenantId, generator, embedding, indexed is not null, cached, early, cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
            if (early is not null)
            {
                // A search that ended early (an error, a filter without documents) leaves nothing running behind it.
                await early.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            }
        }
    }

    private async Task<IReadOnlyList<KnowledgeHit>> SearchOpenAsync(
        KnowledgeQuery query, Guid tenantId, EmbeddingGeneratorSelection generator, Task<ReadOnlyMemory<float>> embedding,
        bool indexed, TenantVectors? cached, Task<List<(Guid ChunkId, float Similarity)>>? early, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var candidates = await ReadCandidatesAsync(query, cancellationToken);
        var read = Stopwatch.GetTimestamp();
        if (candidates.Documents is { Count: 0 })
        {
            return []; // The filter allows no document (e.g. an assistant without any).
        }

        var scannedMeanwhile = indexed || early is not null && cached!.Revision == candidates.Revision;
        List<(Guid ChunkId, float Similarity)> nearest;
        if (scannedMeanwhile)
        {
            nearest = await early!;
        }
        else
        {
            var vectors = await vectorCache.GetAsync(db, tenantId, generator.GeneratorId, generator.Dimensions, candidates.Revision, cancellationToken);
            nearest = vectors.Nearest(await embedding, _options.CandidatesPerList, _options.MinSimilarity, candidates.Documents);
        }
        logger.LogDebug("Searched {Query}: full-text candidates {CandidatesMs:0.00} ms, vectors {VectorMs:0.00} ms more ({Overlapped})",
            query.Query, Stopwatch.GetElapsedTime(started, read).TotalMilliseconds, Stopwatch.GetElapsedTime(read).TotalMilliseconds,
            indexed ? "pgvector, meanwhile" : scannedMeanwhile ? "scanned meanwhile" : "scanned after");

        var fused = Fuse(candidates.Lexical, nearest.Select(n => n.ChunkId).ToList(), query.TopK);
        if (fused.Count == 0)
        {
            return [];
        }

        var ids = fused.Select(f => f.ChunkId).ToList();
        var chunks = await db.DocumentChunks.AsNoTracking()
            .Where(c => ids.Contains(c.Id))
            .Join(db.Documents, c => c.DocumentId, d => d.Id, (c, d) => new { c.Id, c.DocumentId, d.FileName, c.Text, c.Page, c.Heading })
            .ToDictionaryAsync(c => c.Id, cancellationToken);
        var bestPossible = 2.0 / (_options.RrfK + 1);
        return fused.Where(f => chunks.ContainsKey(f.ChunkId)).Select(f =>
        {
            var chunk = chunks[f.ChunkId];
            return new KnowledgeHit(chunk.DocumentId, chunk.FileName, chunk.Id, chunk.Text, chunk.Page, chunk.Heading,
                f.Score, Math.Min(1, f.Score / bestPossible), f.LexicalRank, f.VectorRank);
        }).ToList();
    }

    private List<(Guid ChunkId, double Score, int? LexicalRank, int? VectorRank)> Fuse(
        IReadOnlyList<Guid> lexical, IReadOnlyList<Guid> vector, int topK)
    {
        var ranks = new Dictionary<Guid, (int? Lexical, int? Vector)>();
        for (var i = 0; i < lexical.Count; i++)
        {
            ranks[lexical[i]] = (i + 1, null);
        }
        for (var i = 0; i < vector.Count; i++)
        {
            ranks[vector[i]] = (ranks.GetValueOrDefault(vector[i]).Lexical, i + 1);
        }

        double Term(int? rank) => rank is { } r ? 1.0 / (_options.RrfK + r) : 0;
        return ranks.Select(r => (ChunkId: r.Key, Score: Term(r.Value.Lexical) + Term(r.Value.Vector), r.Value.Lexical, r.Value.Vector))
            .OrderByDescending(r => r.Score).ThenBy(r => Math.Min(r.Lexical ?? int.MaxValue, r.Vector ?? int.MaxValue))
            .Take(topK).ToList();
    }

    private sealed record Candidates(long Revision, IReadOnlySet<Guid>? Documents, IReadOnlyList<Guid> Lexical);

    // The documents a filter allows: $2 the assistant (or null), $3 the document ids (or null).
    internal const string AllowedDocumentsSql =
        "SELECT id FROM documents WHERE ($2::uuid IS NULL OR $2 = ANY(assistant_ids)) AND ($3::uuid[] IS NULL OR id = ANY($3))";

    /// <summary>$1 the tenant, and the filter's $2 and $3 of <see cref="AllowedDocumentsSql"/>, typed (null or not).</summary>
    internal static NpgsqlParameter[] FilterParameters(Guid tenantId, Guid? assistantId, Guid[]? documentIds) =>
    [
        new() { Value = tenantId, NpgsqlDbType = NpgsqlDbType.Uuid },
        new() { Value = (object?)assistantId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
        new() { Value = (object?)documentIds ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid },
    ];

    // Up to three statements in one round trip: the revision (is the vector cache current?), the documents a filter
    // allows, and the best full-text matches among them (ranking at most MaxLexicalMatches of them). Raw SQL still runs
    // under row-level security.
    private async Task<Candidates> ReadCandidatesAsync(KnowledgeQuery query, CancellationToken cancellationToken)
    {
        var filtered = query.AssistantId is not null || query.DocumentIds is not null;
        var tenantId = db.Tenant.RequiredTenantId;
        var documentIds = query.DocumentIds?.ToArray();
        // Every statement gets all six, typed, so one that leaves some unreferenced is still valid.
        NpgsqlParameter[] arguments() =>
        [
            .. FilterParameters(tenantId, query.AssistantId, documentIds),
            new() { Value = query.Query, NpgsqlDbType = NpgsqlDbType.Text },
            new() { Value = _options.CandidatesPerList, NpgsqlDbType = NpgsqlDbType.Integer },
            new() { Value = _options.MaxLexicalMatches, NpgsqlDbType = NpgsqlDbType.Integer },
        ];
        await using var batch = new NpgsqlBatch();
        batch.BatchCommands.Add(Command("SELECT coalesce(max(revision), 0) FROM knowledge_revisions WHERE tenant_id = $1", arguments));
        if (filtered)
        {
            batch.BatchCommands.Add(Command(AllowedDocumentsSql, arguments));
        }
        batch.BatchCommands.Add(Command(
            $"""
            SELECT m.id FROM (
                SELECT c.id, c.search_vector FROM document_chunks c
                WHERE c.tenant_id = $1 AND c.search_vector @@ websearch_to_tsquery('english', $4)
                  {(filtered ? $"AND c.document_id IN ({AllowedDocumentsSql})" : "")}
                LIMIT $6) m, websearch_to_tsquery('english', $4) q
            ORDER BY ts_rank_cd(m.search_vector, q) DESC, m.id
            LIMIT $5
            """, arguments));

        await using var reader = await session.ExecuteFirstBatchAsync(db.Database, batch, cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var revision = reader.GetInt64(0);

        HashSet<Guid>? documents = null;
        if (filtered)
        {
            await reader.NextResultAsync(cancellationToken);
            documents = [];
            while (await reader.ReadAsync(cancellationToken))
            {
                documents.Add(reader.GetGuid(0));
            }
            CheckFilter(query, documents);
        }

        await reader.NextResultAsync(cancellationToken);
        var lexical = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
        {
            lexical.Add(reader.GetGuid(0));
        }
        return new Candidates(revision, documents, lexical);
    }

    private static NpgsqlBatchCommand Command(string sql, Func<NpgsqlParameter[]> arguments)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(arguments());
        return command;
    }

    private static void CheckFilter(KnowledgeQuery query, HashSet<Guid> documents)
    {
        if (query.DocumentIds?.Where(id => !documents.Contains(id)).ToList() is { Count: > 0 } missing && query.AssistantId is null)
        {
            throw DomainException.Validation("documentIds", $"These documents don't exist: {string.Join(", ", missing)}.");
        }
    }
}
