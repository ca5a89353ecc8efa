using System.Collections.Concurrent;
using System.Numerics.Tensors;
using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>
/// Each tenant's chunk vectors of one generator, held in memory as one contiguous matrix for an exact SIMD scan
/// (pgvector is not available everywhere this runs). A copy is tagged with the tenant's knowledge revision and
/// reloaded when the database has moved on, so every API instance sees each change on its next search.
/// </summary>
public sealed class TenantVectorCache
{
    private readonly ConcurrentDictionary<(Guid TenantId, string Generator), TenantVectors> _vectors = new();
    private readonly ConcurrentDictionary<(Guid TenantId, string Generator), SemaphoreSlim> _loading = new();

    /// <summary>The tenant's vectors as last loaded, whatever their revision; null before the first load.</summary>
    public TenantVectors? Peek(Guid tenantId, string generator) => _vectors.GetValueOrDefault((tenantId, generator));

    /// <summary>The tenant's vectors as of <paramref name="revision"/>, loaded with <paramref name="db"/> (which must act for the tenant) if needed.</summary>
    public async Task<TenantVectors> GetAsync(
        AppDbContext db, Guid tenantId, string generator, int dimensions, long revision, CancellationToken cancellationToken)
    {
        var key = (tenantId, generator);
        if (_vectors.TryGetValue(key, out var cached) && cached.Revision == revision)
        {
            return cached;
        }

        // One load per tenant at a time; searches arriving meanwhile take the result.
        var loading = _loading.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await loading.WaitAsync(cancellationToken);
        try
        {
            if (_vectors.TryGetValue(key, out cached) && cached.Revision >= revision)
            {
                return cached;
            }

            var loaded = await LoadAsync(db, generator, dimensions, revision, cancellationToken);
            _vectors[key] = loaded;
            return loaded;
        }
        finally
        {
            loading.Release();
        }
    }

    private static async Task<TenantVectors> LoadAsync(
        AppDbContext db, string generator, int dimensions, long revision, CancellationToken cancellationToken)
    {
        var rows = db.DocumentChunks.AsNoTracking()
            .Where(c => c.EmbeddingGenerator == generator && c.EmbeddingDimensions == dimensions)
            .Select(c => new { c.Id, c.DocumentId, c.Embedding })
            .AsAsyncEnumerable();
        var chunkIds = new List<Guid>();
        var documentIds = new List<Guid>();
        var matrix = new List<float>();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            chunkIds.Add(row.Id);
            documentIds.Add(row.DocumentId);
            matrix.AddRange(row.Embedding);
        }
        return new TenantVectors(revision, dimensions, [.. chunkIds], [.. documentIds], [.. matrix]);
    }
}

/// <summary>An immutable snapshot: row i is chunk <c>ChunkIds[i]</c> of document <c>DocumentIds[i]</c>.</summary>
public sealed class TenantVectors(long revision, int dimensions, Guid[] chunkIds, Guid[] documentIds, float[] matrix)
{
    public long Revision { get; } = revision;
    public int Count => chunkIds.Length;

    /// <summary>
    /// The <paramref name="limit"/> rows most similar to <paramref name="query"/> (a unit vector, so the dot product is
    /// the cosine) with similarity at least <paramref name="minSimilarity"/>, best first, optionally only rows of
    /// <paramref name="documents"/>. A large matrix is scanned in one slice per core.
    /// </summary>
    public List<(Guid ChunkId, float Similarity)> Nearest(
        ReadOnlyMemory<float> query, int limit, double minSimilarity, IReadOnlySet<Guid>? documents)
    {
        var slices = chunkIds.Length < ParallelScanRows ? 1 : Environment.ProcessorCount;
        var best = new List<(int Row, float Similarity)>[slices];
        var sliceRows = (chunkIds.Length + slices - 1) / slices;
        Parallel.For(0, slices, slice => best[slice] = NearestIn(
            query.Span, slice * sliceRows, Math.Min(chunkIds.Length, (slice + 1) * sliceRows), limit, minSimilarity, documents));
        return best.SelectMany(rows => rows).OrderByDescending(r => r.Similarity).Take(limit)
            .Select(r => (chunkIds[r.Row], r.Similarity)).ToList();
    }

    // Below this many rows one core scans faster than several can be started.
    private const int ParallelScanRows = 32_768;

    private List<(int Row, float Similarity)> NearestIn(
        ReadOnlySpan<float> query, int from, int to, int limit, double minSimilarity, IReadOnlySet<Guid>? documents)
    {
        // A min-heap of the best so far: each row costs one SIMD dot product and, rarely, a heap update.
        var best = new PriorityQueue<int, float>(limit + 1);
        for (var row = from; row < to; row++)
        {
            if (documents is not null && !documents.Contains(documentIds[row]))
            {
                continue;
            }

            var similarity = TensorPrimitives.Dot(query, matrix.AsSpan(row * dimensions, dimensions));
            if (similarity < minSimilarity || best.Count == limit && best.TryPeek(out _, out var worst) && similarity <= worst)
            {
                continue;
            }

            best.Enqueue(row, similarity);
            if (best.Count > limit)
            {
                best.Dequeue();
            }
        }

        var result = new List<(int, float)>(best.Count);
        while (best.TryDequeue(out var row, out var similarity))
        {
            result.Add((row, similarity));
        }
        return result;
    }
}
