using System.Net.Http.Json;
using AiPlatform.IntegrationTests.Credits;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Search;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Knowledge;

[Collection(MessagingCollection.Name)]
public sealed class KnowledgeSearchTests(KnowledgeFixture fixture) : IClassFixture<KnowledgeFixture>
{
    /// <summary>A small labelled corpus: one document per passage, each on its own subject.</summary>
    public static readonly (string Name, string Text)[] Corpus =
    [
        ("cardiology.txt", "The heart pumps blood through arteries and veins. A cardiologist treats irregular heartbeat and high blood pressure."),
        ("baking.txt", "Knead the dough, let it rise for an hour, then bake the bread in a hot oven until the crust turns golden."),
        ("finance.txt", "The central bank raised interest rates to curb inflation, making mortgages and loans more expensive for households."),
        ("astronomy.txt", "Telescopes reveal distant galaxies, nebulae and stars; astronomers measure how fast the universe expands."),
        ("football.txt", "The striker scored twice in the final match, and the team lifted the championship trophy in front of cheering fans."),
        ("gardening.txt", "Water tomato plants in the morning, add compost to the soil, and prune the vines so the fruit ripens."),
        ("programming.txt", "The compiler reported a syntax error; the developer fixed the bug, ran the unit tests and deployed the software."),
        ("weather.txt", "A severe storm brought heavy rain, strong winds and thunder, flooding streets across the coastal town."),
        ("music.txt", "The orchestra performed a symphony; violins and cellos carried the melody while the conductor kept the tempo."),
        ("travel.txt", "Passengers boarded the flight at the airport after checking their luggage and passing through security."),
    ];

    /// <summary>Paraphrases that share no word stem with the passage they are about.</summary>
    public static readonly (string Query, string Expected)[] Paraphrases =
    [
        ("cardiac doctor for arrhythmia and hypertension", "cardiology.txt"),
        ("making a loaf with yeast and flour", "baking.txt"),
        ("monetary policy tightening by the federal reserve", "finance.txt"),
        ("observing the cosmos and planets", "astronomy.txt"),
        ("soccer goal wins the cup", "football.txt"),
        ("growing vegetables at home", "gardening.txt"),
        ("debugging code and shipping an application", "programming.txt"),
        ("hurricane with downpour and lightning", "weather.txt"),
        ("classical concert with string instruments", "music.txt"),
        ("catching a plane and travelling abroad", "travel.txt"),
    ];

    [Fact]
    public async Task Paraphrased_questions_find_their_passage_in_the_top_3_where_full_text_alone_finds_nothing()
    {
        var tenant = await fixture.CreateTenantAsync();
        foreach (var (name, text) in Corpus)
        {
            await fixture.UploadProcessedAsync(tenant.Client, name, DocumentFixtures.Utf8(text));
        }

        var misses = new List<string>();
        foreach (var (query, expected) in Paraphrases)
        {
            var hits = await KnowledgeFixture.SearchAsync(tenant.Client, new { query, topK = 3 });
            // Full-text search alone finds nothing for these: no hit has a lexical rank.
            Assert.All(hits, hit => Assert.Equal(System.Text.Json.JsonValueKind.Null, hit.GetProperty("lexicalRank").ValueKind));
            if (!hits.Any(hit => hit.GetProperty("filename").GetString() == expected))
            {
                misses.Add($"'{query}' → [{string.Join(", ", hits.Select(h => h.GetProperty("filename").GetString()))}], expected {expected}");
            }
        }
        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    [Fact]
    public async Task Keyword_matches_rank_first_and_carry_both_ranks()
    {
        var tenant = await fixture.CreateTenantAsync();
        foreach (var (name, text) in Corpus.Take(4))
        {
            await fixture.UploadProcessedAsync(tenant.Client, name, DocumentFixtures.Utf8(text));
        }

        var hits = await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "interest rates and inflation", topK = 2 });
        var top = hits[0];
        Assert.Equal("finance.txt", top.GetProperty("filename").GetString());
        Assert.Equal(1, top.GetProperty("lexicalRank").GetInt32());
        Assert.Equal(1, top.GetProperty("vectorRank").GetInt32());
        Assert.Equal(1.0, top.GetProperty("relevance").GetDouble(), 6);
        Assert.Contains("central bank", top.GetProperty("text").GetString());
        Assert.True(hits.Length <= 2);
    }

    [Fact]
    public async Task Filters_by_document_and_by_assistant()
    {
        var tenant = await fixture.CreateTenantAsync();
        var assistant = await (await tenant.Client.PostAsJsonAsync("/api/v1/assistants", new { name = "Gardener" })).ReadJsonAsync();
        var assistantId = assistant.GetProperty("id").GetGuid();
        var gardening = await UploadForAsync(tenant.Client, "gardening.txt", Corpus[5].Text, assistantId);
        var weather = (await fixture.UploadProcessedAsync(tenant.Client, "weather.txt", DocumentFixtures.Utf8(Corpus[7].Text))).GetProperty("id").GetGuid();

        var byAssistant = await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "rain and storms", assistantId });
        Assert.All(byAssistant, hit => Assert.Equal(gardening, hit.GetProperty("documentId").GetGuid()));

        var byDocument = await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "tomato", documentIds = new[] { weather } });
        Assert.All(byDocument, hit => Assert.Equal(weather, hit.GetProperty("documentId").GetGuid()));
        Assert.DoesNotContain(byDocument, hit => hit.GetProperty("lexicalRank").ValueKind != System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Another_tenants_chunks_are_never_found_not_even_by_raw_sql()
    {
        var owner = await fixture.CreateTenantAsync();
        var stranger = await fixture.CreateTenantAsync();
        var id = (await fixture.UploadProcessedAsync(owner.Client, "secret.txt", DocumentFixtures.Utf8("The vault code is hidden under the marble statue."))).GetProperty("id").GetGuid();
        Assert.NotEmpty(await KnowledgeFixture.SearchAsync(owner.Client, new { query = "vault code marble statue" }));

        Assert.Empty(await KnowledgeFixture.SearchAsync(stranger.Client, new { query = "vault code marble statue", topK = 50 }));
        var response = await stranger.Client.PostAsJsonAsync("/api/v1/knowledge/search", new { query = "vault", documentIds = new[] { id } });
        await response.AssertErrorAsync(422, "VALIDATION_ERROR");

        // Raw SQL skips the EF filters; row-level security alone hides the chunks and the revision.
        var (chunks, revisions) = await fixture.InTenantScopeAsync(stranger.TenantId, async (db, _) => (
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM document_chunks WHERE document_id = {id}").SingleAsync(),
            await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM knowledge_revisions WHERE tenant_id = {owner.TenantId}").SingleAsync()));
        Assert.Equal((0, 0), (chunks, revisions));
        var owned = await fixture.InTenantScopeAsync(owner.TenantId, (db, _) =>
            db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM document_chunks WHERE document_id = {id}").SingleAsync());
        Assert.True(owned > 0);
    }

    [Fact]
    public async Task Full_text_matching_under_row_level_security_can_use_the_GIN_index()
    {
        // Row-level security lets only LEAKPROOF operators use an index; eng/servers.sh marks @@ so. Without it every
        // search reads all of the tenant's chunks (hundreds of milliseconds at 100k).
        var tenant = await fixture.CreateTenantAsync();
        var plan = await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) => db.InTransactionAsync(async ct =>
        {
            await db.Database.ExecuteSqlRawAsync("SET LOCAL enable_seqscan = off", ct);
            return string.Join("\n", await db.Database.SqlQueryRaw<string>(
                "EXPLAIN SELECT id FROM document_chunks WHERE search_vector @@ websearch_to_tsquery('english', 'glaciers')").ToListAsync(ct));
        }, CancellationToken.None));
        Assert.Contains("ix_document_chunks_search_vector", plan);
    }

    [Fact]
    public async Task The_vector_side_uses_pgvector_exactly_where_the_database_has_it()
    {
        // Where the tests' server has no pgvector (as from Debian's packages), every search test here runs the exact
        // in-memory scan; where it has it, they run against its HNSW index (PgVectorSearchTests compares the two).
        var tenant = await fixture.CreateTenantAsync();
        var installed = await fixture.InTenantScopeAsync(tenant.TenantId, (db, _) =>
            db.Database.SqlQuery<bool>($"SELECT EXISTS (SELECT FROM pg_extension WHERE extname = 'vector') AS \"Value\"").SingleAsync());
        Assert.Equal(TestServers.HasPgVector, installed);
        Assert.Equal(installed, fixture.Services.GetRequiredService<PgVectorIndex>().IsInUse);
    }

    [Fact]
    public async Task Bad_search_requests_are_4xx_in_the_envelope()
    {
        var tenant = await fixture.CreateTenantAsync();
        var search = (object body) => tenant.Client.PostAsJsonAsync("/api/v1/knowledge/search", body);

        await (await search(new { query = "" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = "ok", topK = 0 })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = "ok", topK = 51 })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = new string('a', 2001) })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = "ok", documentIds = Array.Empty<Guid>() })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = "ok", documentIds = new[] { Guid.NewGuid() } })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await search(new { query = "ok", assistantId = Guid.NewGuid() })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await search(new { query = "ok", topK = "five" })).AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await tenant.Client.PostAsync("/api/v1/knowledge/search", new StringContent("{", System.Text.Encoding.UTF8, "application/json")))
            .AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await fixture.CreateClient().PostAsJsonAsync("/api/v1/knowledge/search", new { query = "ok" })).AssertErrorAsync(401, "AUTHENTICATION_FAILED");

        // Operators and punctuation are text to search for, never a syntax error.
        Assert.Empty(await KnowledgeFixture.SearchAsync(tenant.Client, new { query = "\"unclosed OR - ( ) & | ! :*" }));
    }

    private async Task<Guid> UploadForAsync(HttpClient client, string fileName, string text, Guid assistantId)
    {
        var response = await client.PostAsync("/api/v1/documents", DocumentFixtures.Form(fileName, DocumentFixtures.Utf8(text), assistantIds: assistantId.ToString()));
        var id = (await response.ReadJsonAsync()).GetProperty("id").GetGuid();
        await KnowledgeFixture.WaitForStatusAsync(client, id, "PROCESSED");
        return id;
    }
}
