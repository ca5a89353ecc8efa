using System.Text.Json;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Search;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// The vector side through pgvector's HNSW index, where the tests' databases have the extension: the same results as
/// the exact in-memory scan, read from the index, and the tenant's own chunks found however many of another tenant's
/// lie nearer the query.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class PgVectorSearchTests(KnowledgeFixture fixture) : IClassFixture<KnowledgeFixture>
{
    private static readonly string LocalIndex = PgVectorIndex.IndexName(LocalEmbeddingGenerator.Dimensions);

    [PgVectorFact]
    public async Task Searches_read_the_HNSW_index_and_find_what_the_exact_scan_finds()
    {
        var tenant = await fixture.CreateTenantAsync();
        foreach (var (name, text) in KnowledgeSearchTests.Corpus)
        {
            await fixture.UploadProcessedAsync(tenant.Client, name, DocumentFixtures.Utf8(text));
        }

        // A second API instance on the same database, told to scan in memory.
        await using var exactInstance = fixture.AnotherInstance(("Knowledge:Search:VectorIndex", nameof(VectorIndexMode.Exact)));
        var exactClient = tenant.ClientOf(exactInstance);
        Assert.True(fixture.Services.GetRequiredService<PgVectorIndex>().IsInUse);
        Assert.False(exactInstance.Services.GetRequiredService<PgVectorIndex>().IsInUse);

        var scansBefore = await IndexScansAsync();
        foreach (var (query, _) in KnowledgeSearchTests.Paraphrases)
        {
            var indexed = Ranked(await KnowledgeFixture.SearchAsync(tenant.Client, new { query, topK = 10 }));
            var exact = Ranked(await KnowledgeFixture.SearchAsync(exactClient, new { query, topK = 10 }));
            Assert.Equal(exact, indexed);
        }

        // Each backend reports its index scans to the statistics when it next goes idle, within about a second.
        await Eventually.TrueAsync(async () => await IndexScansAsync() >= scansBefore + KnowledgeSearchTests.Paraphrases.Length,
            TimeSpan.FromSeconds(20), $"a scan of {LocalIndex} per search");
    }

    [PgVectorFact]
    public async Task A_tenant_finds_its_chunk_behind_hundreds_of_another_tenants_nearer_the_query()
    {
        const string query = "soccer goal wins the cup";
        var crowd = await fixture.CreateTenantAsync();
        var loner = await fixture.CreateTenantAsync();
        // About 200 chunks that say the query itself, all nearer it than the loner's passage: the graph search meets
        // every one of them before it, and row-level security drops them all. The filtered scan has to go on past them.
        var crowdText = string.Join("\n\n", Enumerable.Range(0, 4000).Select(i => $"Soccer goal {i} wins the cup. Soccer goal wins the cup again."));
        var crowded = await fixture.UploadProcessedAsync(crowd.Client, "crowd.txt", DocumentFixtures.Utf8(crowdText));
        Assert.True(crowded.GetProperty("chunkCount").GetInt32() >= 150, crowded.ToString());
        var football = KnowledgeSearchTests.Corpus.Single(c => c.Name == "football.txt");
        await fixture.UploadProcessedAsync(loner.Client, football.Name, DocumentFixtures.Utf8(football.Text));

        var crowdHit = (await KnowledgeFixture.SearchAsync(crowd.Client, new { query, topK = 1 }))[0];
        Assert.Equal("crowd.txt", crowdHit.GetProperty("filename").GetString());
        var hits = await KnowledgeFixture.SearchAsync(loner.Client, new { query, topK = 5 });
        var hit = Assert.Single(hits);
        Assert.Equal("football.txt", hit.GetProperty("filename").GetString());
        Assert.Equal(1, hit.GetProperty("vectorRank").GetInt32());
    }

    private static List<string> Ranked(JsonElement[] hits) =>
        hits.Select(hit => $"{hit.GetProperty("chunkId")} vector {hit.GetProperty("vectorRank")} lexical {hit.GetProperty("lexicalRank")}").ToList();

    private async Task<long> IndexScansAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(idx_scan), 0)::bigint FROM pg_stat_user_indexes WHERE indexrelname = $1", connection)
        {
            Parameters = { new() { Value = LocalIndex } },
        };
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
