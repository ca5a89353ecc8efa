using System.Net.Http.Json;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Search;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// The server has pgvector, but the database does not, and the application role, not being a superuser, may not create
/// it: the API says so in its log and searches in memory, as on a server without pgvector.
/// </summary>
public sealed class PgVectorMissingTests(PgVectorMissingTests.Template0ApiFactory factory) : IClassFixture<PgVectorMissingTests.Template0ApiFactory>
{
    /// <summary>The API on a database copied from template0, which eng/servers.sh leaves without the extension.</summary>
    public sealed class Template0ApiFactory : ApiFactory
    {
        protected override string DatabaseTemplate => "template0";
    }

    [PgVectorFact]
    public async Task Without_the_extension_in_its_database_the_API_searches_in_memory_and_creates_nothing()
    {
        Assert.False(factory.Services.GetRequiredService<PgVectorIndex>().IsInUse);
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            using var system = db.Tenant.BeginSystemScope();
            Assert.Equal(0, await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_extension WHERE extname = 'vector'").SingleAsync());
            Assert.Equal(0, await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM pg_indexes WHERE indexname LIKE 'ix_document_chunks_embedding_hnsw_%'").SingleAsync());
        }

        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.PostAsJsonAsync("/api/v1/knowledge/search", new { query = "anything at all" });
        response.EnsureSuccessStatusCode();
        Assert.Empty(await response.Content.ReadFromJsonAsync<object[]>() ?? []);
    }
}
