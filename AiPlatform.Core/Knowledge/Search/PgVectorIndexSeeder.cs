using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Embeddings;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>At start, after migrations: whether searches use pgvector, and its indexes for every configured generator.</summary>
public sealed class PgVectorIndexSeeder(PgVectorIndex index, IEmbeddingGeneratorProvider embeddings) : IDatabaseSeeder
{
    public Task SeedAsync(AppDbContext db, CancellationToken cancellationToken) =>
        index.DiscoverAsync(db, embeddings.Generators.Select(g => g.Dimensions), cancellationToken);
}
