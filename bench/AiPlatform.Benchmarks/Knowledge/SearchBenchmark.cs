extern alias worker;

using System.Diagnostics;
using AiPlatform.Benchmarks.Infrastructure;
using AiPlatform.Benchmarks.Reporting;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Index;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using ChunkRows = worker::AiPlatform.Worker.Ingestion.ChunkRows;

namespace AiPlatform.Benchmarks.Knowledge;

/// <summary>
/// Issue 4, item 7 (c). Latency of <c>POST /api/v1/knowledge/search</c> (hybrid: full-text rank + exact cosine over the
/// tenant's cached vectors, fused) over a tenant with 10k and with 100k chunks of English-like prose, embedded by the
/// offline generator. Chunks are written straight into the index the way the pipeline writes them (its own INSERT),
/// which is much faster than ingesting documents; the searches go through the real API over HTTP, one at a time.
/// </summary>
public sealed class SearchBenchmark : IBenchmark
{
    /// <summary>The target at 100k chunks.</summary>
    public const double TargetP50Ms = 10;

    private const int ChunksPerDocument = 1000;
    private const int WordsPerChunk = 120;

    public string Name => "search";

    public string Description => "knowledge search latency p50/p99 over 10k and 100k chunks (issue 4 #7c)";

    public string Usage => """
          --sizes 10000,100000   chunks in each tenant's index (default 10000,100000)
          --queries 500          measured searches per size (default 500), after 50 unmeasured ones
          --top-k 5              results per search (default 5)
        """;

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var sizes = args.IntList("sizes", [10_000, 100_000], min: 1, max: 2_000_000);
        var queries = args.Int("queries", 500, min: 1);
        var topK = args.Int("top-k", 5, min: 1, max: 50);

        Console.WriteLine("AiPlatform benchmark: search (issue 4, item 7 c)");
        Console.WriteLine($"machine   : {MachineInfo.Describe()}");
        Console.WriteLine($"load      : {MachineInfo.LoadAverage()} at start");
        Console.WriteLine($"run       : {queries} measured searches per size (50 warm-up first), topK {topK}, chunks of {WordsPerChunk} words, " +
            "offline embedder (100-d)");

        BenchProgress.Write("starting the API (migrating its database)...");
        var api = await ApiHost.StartAsync("search", new Dictionary<string, string?>
        {
            // Per-search timings (full-text candidates, vector cache, scan) for AIPLATFORM_BENCH_VERBOSE=1.
            ["Logging:LogLevel:AiPlatform.Core.Knowledge.Search"] = Environment.GetEnvironmentVariable("AIPLATFORM_BENCH_VERBOSE") is "1" ? "Debug" : "Warning",
        });
        Console.WriteLine($"vectors   : {api.VectorPath}");
        Console.WriteLine();
        var table = new TextTable("chunks", "seed s", "first search (cache load) ms", "p50 ms", "p90 ms", "p99 ms", "max ms", "results/search");
        try
        {
            foreach (var size in sizes)
            {
                var (client, tenantId) = await ApiSetup.RegisterTenantWithIdAsync(api.BaseAddress, $"search {size}");
                using var _ = client;
                var knowledge = new KnowledgeClient(client);
                var seed = await SeedAsync(api, client, tenantId, size, cancellationToken);

                var text = new SyntheticText(seed: 7);
                var first = Stopwatch.GetTimestamp();
                await knowledge.SearchAsync(text.Query(), topK, cancellationToken);
                var firstMs = Stopwatch.GetElapsedTime(first).TotalMilliseconds;
                for (var i = 0; i < 50; i++)
                {
                    await knowledge.SearchAsync(text.Query(), topK, cancellationToken);
                }

                BenchProgress.Write($"{size} chunks: {queries} measured searches...");
                var samples = new List<double>(queries);
                long results = 0;
                for (var i = 0; i < queries; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    results += (await knowledge.SearchAsync(text.Query(), topK, cancellationToken)).Length;
                    samples.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }

                var stats = new LatencyStats(samples);
                table.Row(size, seed.TotalSeconds.ToString("0.0"), TextTable.Ms(firstMs), TextTable.Ms(stats.P50), TextTable.Ms(stats.P90),
                    TextTable.Ms(stats.P99), TextTable.Ms(stats.Max), (results / (double)queries).ToString("0.0"));
            }

            // Before the clean-up, which can wait long for PostgreSQL's autovacuum to leave the database.
            Console.WriteLine(table);
            Console.WriteLine($"target: p50 ≤ {TargetP50Ms} ms at 100k chunks");
        }
        finally
        {
            BenchProgress.Write("stopping the API and dropping its database...");
            await api.StopAsync();
        }

        return 0;
    }

    /// <summary>Documents through the API (for their rows), then their chunks straight into the index, embedded offline.</summary>
    private static async Task<TimeSpan> SeedAsync(ApiHost api, HttpClient client, Guid tenantId, int size, CancellationToken cancellationToken)
    {
        BenchProgress.Write($"{size} chunks: seeding...");
        var started = Stopwatch.GetTimestamp();
        var knowledge = new KnowledgeClient(client);
        var text = new SyntheticText(seed: size);
        var generator = api.Services.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(tenantId);
        for (var first = 0; first < size; first += ChunksPerDocument)
        {
            var count = Math.Min(ChunksPerDocument, size - first);
            var documentId = await knowledge.UploadAsync($"corpus-{first / ChunksPerDocument}.txt", "placeholder"u8.ToArray(), cancellationToken);
            var chunks = Enumerable.Range(0, count).Select(i => new Chunk(i, text.Text(WordsPerChunk), WordsPerChunk, Page: null, Heading: null)).ToList();
            var vectors = new float[count * generator.Dimensions];
            var embedded = await generator.Generator.GenerateAsync(chunks.Select(c => c.Text), cancellationToken: cancellationToken);
            for (var i = 0; i < count; i++)
            {
                embedded[i].Vector.Span.CopyTo(vectors.AsSpan(i * generator.Dimensions));
            }

            await using var scope = api.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.Tenant.SetTenant(tenantId);
            await db.InTransactionAsync(async ct =>
            {
                await ChunkRows.InsertAsync(db, new DocumentUploadedIntegrationEvent(documentId, tenantId, Version: 1), chunks, vectors, generator, 0, count, ct);
                await ChunkRows.MergePendingSearchEntriesAsync(db, ct);
                await db.Documents.Where(d => d.Id == documentId).ExecuteUpdateAsync(d => d
                    .SetProperty(x => x.Status, DocumentStatus.Processed).SetProperty(x => x.ChunkCount, count), ct);
                await db.BumpKnowledgeRevisionAsync(tenantId, ct);
                return true;
            }, cancellationToken);
        }

        // Fresh statistics, as autovacuum would have by the time a real index is this size.
        await using (var scope = api.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.ExecuteSqlRawAsync("ANALYZE document_chunks", cancellationToken);
        }
        return Stopwatch.GetElapsedTime(started);
    }
}
