using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>
/// The vector side of knowledge search in PostgreSQL, where the database has the pgvector extension (0.8 or later):
/// an HNSW index per embedding dimension over the chunks' stored <c>real[]</c> vectors, cast to <c>vector(n)</c> in
/// the index expression, so the table and the ingestion are the same with or without the extension. Whether it is in
/// use is found once at start by <see cref="PgVectorIndexSeeder"/>; until then, and without the extension, searches
/// scan <see cref="TenantVectorCache"/> instead.
/// </summary>
public sealed class PgVectorIndex(IServiceScopeFactory scopes, IOptions<KnowledgeSearchOptions> options, ILogger<PgVectorIndex> logger)
{
    /// <summary>The most dimensions pgvector's HNSW index takes for the <c>vector</c> type.</summary>
    public const int MaxIndexedDimensions = 2000;

    // relaxed_order iterative scans (pgvector 0.8) keep reading the graph until enough rows pass the tenant and
    // document filters; without them an index scan stops at ef_search rows, most of them other tenants'.
    private static readonly Version IterativeScanVersion = new(0, 8, 0);

    private readonly KnowledgeSearchOptions _options = options.Value;
    private volatile bool _inUse;

    /// <summary>Whether searches go to pgvector: the database has it and the configuration allows it.</summary>
    public bool IsInUse => _inUse;

    /// <summary>Whether searches of vectors with <paramref name="dimensions"/> dimensions go to the index.</summary>
    public bool Serves(int dimensions) => _inUse && dimensions <= MaxIndexedDimensions;

    public static string IndexName(int dimensions) => $"ix_document_chunks_embedding_hnsw_{dimensions}";

    /// <summary>
    /// Finds whether the database has pgvector, creating the extension where the server has it and the role may, unless
    /// <see cref="KnowledgeSearchOptions.VectorIndex"/> says Exact; if so, builds the missing HNSW indexes for
    /// <paramref name="dimensions"/>. Idempotent.
    /// </summary>
    public async Task DiscoverAsync(AppDbContext db, IEnumerable<int> dimensions, CancellationToken cancellationToken)
    {
        _inUse = false;
        if (_options.VectorIndex == VectorIndexMode.Exact)
        {
            logger.LogInformation("Knowledge search scans vectors in memory (Knowledge:Search:VectorIndex is Exact)");
            return;
        }

        // No row: the server has no pgvector; "": it has, but not in this database; else the installed version.
        var version = await InstalledVersionAsync(db, cancellationToken);
        if (version == "")
        {
            version = await TryCreateExtensionAsync(db, cancellationToken);
        }

        if (string.IsNullOrEmpty(version))
        {
            logger.LogInformation("Knowledge search scans vectors in memory (the database has no pgvector extension)");
            return;
        }

        if (!Version.TryParse(version, out var parsed) || parsed < IterativeScanVersion)
        {
            logger.LogWarning("The database has pgvector {Version}; knowledge search needs 0.8 or later for filtered index scans, so it scans vectors in memory", version);
            return;
        }

        foreach (var size in dimensions.Distinct().Order())
        {
            if (size > MaxIndexedDimensions)
            {
                logger.LogWarning("{Dimensions}-dimensional vectors are more than pgvector's HNSW index takes ({Max}); their searches scan them in memory",
                    size, MaxIndexedDimensions);
                continue;
            }

            // Builds over the existing chunks once (blocking their writes meanwhile), then keeps up on every insert.
            // The partial predicate keeps other dimensions' vectors out of the cast.
            logger.LogInformation("Ensuring the HNSW index {Index} for {Dimensions}-dimensional vectors", IndexName(size), size);
            var create = $"""
                CREATE INDEX IF NOT EXISTS {IndexName(size)} ON document_chunks
                USING hnsw ((embedding::vector({size})) vector_cosine_ops) WHERE embedding_dimensions = {size}
                """;
            await db.Database.ExecuteSqlRawAsync(create, cancellationToken);
        }

        logger.LogInformation("Knowledge search uses pgvector {Version} (HNSW)", version);
        _inUse = true;
    }

    private static Task<string?> InstalledVersionAsync(AppDbContext db, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<string>($"SELECT coalesce(installed_version, '') AS \"Value\" FROM pg_available_extensions WHERE name = 'vector'")
            .SingleOrDefaultAsync(cancellationToken);

    // pgvector is not a trusted extension: only a superuser (as in the pgvector container of Aspire mode) may create
    // it. The application role of the tests or of a managed server usually is not, and an administrator creates it.
    private async Task<string?> TryCreateExtensionAsync(AppDbContext db, CancellationToken cancellationToken)
    {
        var superuser = await db.Database.SqlQuery<bool>($"SELECT current_setting('is_superuser') = 'on' AS \"Value\"").SingleAsync(cancellationToken);
        if (!superuser)
        {
            logger.LogWarning("The server has pgvector, but this role may not create its extension; knowledge search uses its HNSW " +
                "index once a superuser runs CREATE EXTENSION vector in this database");
            return null;
        }

        await db.Database.ExecuteSqlRawAsync("CREATE EXTENSION IF NOT EXISTS vector", cancellationToken);
        return await InstalledVersionAsync(db, cancellationToken);
    }

    /// <summary>
    /// The chunks nearest to <paramref name="query"/> by cosine similarity, best first, at most
    /// <paramref name="limit"/>, none below <paramref name="minSimilarity"/>, among the documents of
    /// <paramref name="assistantId"/> and <paramref name="documentIds"/> if given; with a connection of its own, under
    /// <paramref name="tenantId"/>'s row-level security, so that it runs beside the search's full-text statements.
    /// </summary>
    public async Task<List<(Guid ChunkId, float Similarity)>> NearestAsync(
        Guid tenantId, EmbeddingGeneratorSelection generator, Task<ReadOnlyMemory<float>> query, int limit, double minSimilarity,
        Guid? assistantId, Guid[]? documentIds, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateTenantScope(tenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // The dimension is written into the statement: the planner matches the index by its expression and predicate.
        var size = generator.Dimensions;
        var vector = $"embedding::vector({size})";
        await using var batch = new NpgsqlBatch();
        // Settings local to the batch's implicit transaction: the graph search keeps at least limit candidates.
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT set_config('hnsw.ef_search', $1::text, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)")
        {
            Parameters = { new() { Value = Math.Max(40, limit), NpgsqlDbType = NpgsqlDbType.Integer } },
        });
        // relaxed_order may return neighbours slightly out of order: the outer query sorts the few it keeps.
        var nearest = new NpgsqlBatchCommand(
            $"""
            SELECT n.id, n.distance FROM (
                SELECT c.id, {vector} <=> $4::real[]::vector({size}) AS distance
                FROM document_chunks c
                WHERE c.embedding_dimensions = {size} AND c.tenant_id = $1 AND c.embedding_generator = $5
                  AND ($2::uuid IS NULL AND $3::uuid[] IS NULL OR c.document_id IN ({KnowledgeSearchService.AllowedDocumentsSql}))
                ORDER BY {vector} <=> $4::real[]::vector({size})
                LIMIT $6) n
            WHERE n.distance <= $7
            ORDER BY n.distance, n.id
            """);
        nearest.Parameters.AddRange(KnowledgeSearchService.FilterParameters(tenantId, assistantId, documentIds));
        nearest.Parameters.Add(new() { Value = (await query).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real });
        nearest.Parameters.Add(new() { Value = generator.GeneratorId, NpgsqlDbType = NpgsqlDbType.Text });
        nearest.Parameters.Add(new() { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        nearest.Parameters.Add(new() { Value = 1 - minSimilarity, NpgsqlDbType = NpgsqlDbType.Double });
        batch.BatchCommands.Add(nearest);

        try
        {
            var session = scope.ServiceProvider.GetRequiredService<TenantSessionInterceptor>();
            await using var reader = await session.ExecuteFirstBatchAsync(db.Database, batch, cancellationToken);
            await reader.NextResultAsync(cancellationToken);
            var chunks = new List<(Guid, float)>();
            while (await reader.ReadAsync(cancellationToken))
            {
                chunks.Add((reader.GetGuid(0), (float)(1 - reader.GetDouble(1))));
            }
            return chunks;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
