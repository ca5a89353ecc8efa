extern alias worker;

using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AiPlatform.Benchmarks.Infrastructure;
using AiPlatform.Benchmarks.Reporting;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Extraction;
using AiPlatform.Core.Messaging;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;
using IngestionOptions = worker::AiPlatform.Worker.Ingestion.IngestionOptions;

namespace AiPlatform.Benchmarks.Knowledge;

/// <summary>
/// Issue 4, item 7 (a) and (b). (b): how long a 1 MB text PDF takes from the start of its upload until a search finds
/// a sentence from its last page. (a): ingestion throughput end to end (chunks per second from the first upload until
/// every document is PROCESSED) against the embedding generator alone on the same chunks, with the same batch size and
/// concurrency. Both with the offline embedder, and (a) again with a remote OpenAI-compatible embedder that takes a
/// fixed time per call, where the embedder, not this machine's CPU, sets the pace, as with a real model. Each (a) pass
/// follows an unmeasured warm-up of the same pipeline, so it measures a running Worker, not its JIT warm-up.
/// </summary>
public sealed class IngestionBenchmark : IBenchmark
{
    private const string Marker = "The quartermaster polishes brass saxophones beside the lighthouse.";

    // Tiered compilation recompiles a method after 30 calls, and with dynamic PGO twice (instrumented, then optimised),
    // in the background. So the warm-up is two rounds, each followed by a wait until the JIT is idle, of 32 documents of
    // half the words: about 35 runs of the pipeline's per-document code and of its per-embedding-call code (a call per
    // 128 chunks) per round. Then little is still being compiled in the measured pass, as in a Worker that has been running.
    private const int WarmUpRounds = 2;
    private const int WarmUpDocuments = 32;

    public string Name => "ingestion";

    public string Description => "document ingestion throughput vs. the embedder alone, and time for a 1 MB PDF to become searchable (issue 4 #7a,b)";

    public string Usage => """
          --documents 12           documents in each throughput pass (default 12)
          --words 100000           words per document (default 100000, about 600 KB of text)
          --pdf-kb 1024            size of the PDF that must become searchable (default 1024)
          --remote-latency-ms 300  the remote embedder's time per call of up to 128 chunks (a hosted model takes about
                                   this for 128 inputs of 512 tokens); 0 skips the remote pass (default 300)
        """;

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var documents = args.Int("documents", 12, min: 1, max: 1000);
        var words = args.Int("words", 100_000, min: 100, max: 2_000_000);
        var pdfKb = args.Int("pdf-kb", 1024, min: 1, max: 50 * 1024);
        var remoteLatency = args.Int("remote-latency-ms", 300, min: 0, max: 10_000);

        Console.WriteLine("AiPlatform benchmark: ingestion (issue 4, item 7 a and b)");
        Console.WriteLine($"machine   : {MachineInfo.Describe()}");
        Console.WriteLine($"load      : {MachineInfo.LoadAverage()} at start");
        var defaults = new IngestionOptions();
        Console.WriteLine($"pipeline  : the real API and Worker in this process (outbox → RabbitMQ → pipeline), product defaults: " +
            $"embedding batches of up to {defaults.EmbeddingBatchSize} (shared by all documents), {defaults.EmbeddingConcurrency} calls in flight, as many documents at once as the Worker's EventBus:ConsumerConcurrency says; " +
            "outbox relay woken by a PostgreSQL notification (polling every 500 ms as the fallback)");
        Console.WriteLine();

        var texts = Enumerable.Range(0, documents).Select(i => new SyntheticText(i).Text(words)).ToList();
        var warmUp = Enumerable.Range(documents, WarmUpDocuments).Select(i => new SyntheticText(i).Text(words / 2)).ToList();
        var results = new TextTable("embedder", "documents", "chunks", "pipeline s", "pipeline chunks/s", "embedder alone s", "embedder chunks/s", "ratio (target ≥ 0.9)");
        var cpu = new TextTable("embedder", "pipeline", "= this process", "+ PostgreSQL", "of which: extract+chunk", "embedder alone",
            $"CPU allows chunks/s ({Environment.ProcessorCount} cores)", "bound", "JIT in the window (total)");

        await using (var local = await Stack.StartAsync("local", new Dictionary<string, string?>()))
        {
            Console.WriteLine($"vectors   : {local.Api.VectorPath}");
            Console.WriteLine($"documents : {local.Worker.Services.GetRequiredService<IOptions<EventBusOptions>>().Value.ConsumerConcurrency} at once");
            var (seconds, pages, bytes) = await SearchablePdfAsync(local, pdfKb, cancellationToken);
            Console.WriteLine($"(b) a {bytes / 1024.0 / 1024.0:0.00} MB text PDF of {pages} pages searchable after {seconds:0.00} s " +
                "(upload start → a search finds a sentence of its last page; target ≤ 10 s)");
            Console.WriteLine();
            AddRows(results, cpu, "local (offline, 100-d)", await ThroughputAsync(local, texts, warmUp, cancellationToken));
        }

        if (remoteLatency > 0)
        {
            await using var fake = await FakeOpenAiServer.StartAsync();
            fake.EmbeddingDelay = TimeSpan.FromMilliseconds(remoteLatency);
            // It stands for another machine: its CPU should not be taken from the pipeline's.
            fake.CheapEmbeddings = true;
            await using var remote = await Stack.StartAsync("remote", fake.EmbeddingProviderSettings());
            AddRows(results, cpu, $"remote ({remoteLatency} ms per call, {fake.EmbeddingDimensions}-d)", await ThroughputAsync(remote, texts, warmUp, cancellationToken));
        }

        Console.WriteLine("(a) ingestion throughput, end to end vs. the embedder alone on the same chunks");
        Console.WriteLine(results);
        Console.WriteLine("CPU per chunk in ms, user + system, while the pipeline ran: this process (API, Worker, client, fake model) and the PostgreSQL");
        Console.WriteLine("backends of its database (uploads, status, chunk rows with their full-text index). Extract+chunk and the embedder are");
        Console.WriteLine("measured on their own on the same documents. The pipeline cannot outrun the cores divided by its CPU per chunk: when that");
        Console.WriteLine("is below the embedder's own rate, this machine's CPU, not the embedder, bounds the ratio. JIT: compilation time and methods");
        Console.WriteLine($"compiled in this process during the whole measured pass, after a warm-up ({WarmUpRounds} × {WarmUpDocuments} documents of half the words, each round followed by a wait for the JIT to settle).");
        Console.WriteLine(cpu);
        return 0;
    }

    private static void AddRows(TextTable results, TextTable cpu, string embedder, Throughput t)
    {
        var embedderRate = t.Chunks / t.EmbedderSeconds;
        results.Row(embedder, t.Documents, t.Chunks, t.PipelineSeconds.ToString("0.00"), (t.Chunks / t.PipelineSeconds).ToString("0"),
            t.EmbedderSeconds.ToString("0.00"), embedderRate.ToString("0"), (t.EmbedderSeconds / t.PipelineSeconds).ToString("0.00"));

        var perChunk = t.PipelineCpu.Per(t.Chunks);
        var pipelineMs = (perChunk.Process + perChunk.Postgres).TotalMilliseconds;
        var cpuRate = Environment.ProcessorCount * 1000 / pipelineMs;
        cpu.Row(embedder, pipelineMs.ToString("0.00"), perChunk.Process.TotalMilliseconds.ToString("0.00"), perChunk.Postgres.TotalMilliseconds.ToString("0.00"),
            (t.ExtractAndChunkCpu / t.Chunks).TotalMilliseconds.ToString("0.00"), (t.EmbedderCpu / t.Chunks).TotalMilliseconds.ToString("0.00"),
            cpuRate.ToString("0"),
            cpuRate < embedderRate ? $"CPU: ratio ≤ {cpuRate / embedderRate:0.00} here" : "the embedder",
            $"{t.PipelineCpu.JitTime.TotalMilliseconds:0} ms, {t.PipelineCpu.JitMethods} methods");
    }

    private static async Task<(double Seconds, int Pages, int Bytes)> SearchablePdfAsync(Stack stack, int kilobytes, CancellationToken cancellationToken)
    {
        var (pdf, pages) = TextPdf(kilobytes * 1024);
        var (client, _) = await stack.NewTenantAsync();
        var started = Stopwatch.GetTimestamp();
        await client.UploadAsync("handbook.pdf", pdf, cancellationToken);
        while (!(await client.SearchAsync(Marker, 1, cancellationToken)).Any(hit => hit.GetProperty("text").GetString()!.Contains("quartermaster")))
        {
            if (Stopwatch.GetElapsedTime(started) > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException("The PDF was not searchable after 5 minutes.");
            }
            await Task.Delay(20, cancellationToken);
        }
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, pages, pdf.Length);
    }

    private static async Task<Throughput> ThroughputAsync(
        Stack stack, IReadOnlyList<string> texts, IReadOnlyList<string> warmUp, CancellationToken cancellationToken)
    {
        // A tenant of its own: the measured tenant's index holds only the measured documents.
        var (warmUpClient, _) = await stack.NewTenantAsync();
        for (var round = 1; round <= WarmUpRounds; round++)
        {
            BenchProgress.Write($"{stack.Name}: warm-up round {round} of {WarmUpRounds}, {warmUp.Count} documents...");
            await ProcessAsync(warmUpClient, Utf8(warmUp), cancellationToken);
            var compiled = await CpuSnapshot.WaitForJitToSettleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20), cancellationToken);
            BenchProgress.Write($"{stack.Name}: the JIT settled ({compiled} more methods compiled after the round)");
        }

        var (client, tenantId) = await stack.NewTenantAsync();
        var files = Utf8(texts);
        BenchProgress.Write($"{stack.Name}: uploading {files.Count} documents...");
        var cpuBefore = CpuSnapshot.Take(stack.Api.Database.Name);
        var started = Stopwatch.GetTimestamp();
        var (ids, processed) = await ProcessAsync(client, files, cancellationToken);
        var pipeline = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var pipelineCpu = CpuSnapshot.Take(stack.Api.Database.Name) - cpuBefore;
        var chunks = processed.Sum(d => d.GetProperty("chunkCount").GetInt32());

        BenchProgress.Write($"{stack.Name}: embedding the same {chunks} chunks with the generator alone...");
        var (embedder, embedderCpu) = await EmbedderAloneAsync(stack, tenantId, ids, cancellationToken);
        BenchProgress.Write($"{stack.Name}: extracting and chunking the same documents alone...");
        var extractAndChunkCpu = await ExtractAndChunkCpuAsync(stack, files, cancellationToken);
        return new Throughput(files.Count, chunks, pipeline, embedder, pipelineCpu, embedderCpu, extractAndChunkCpu);
    }

    private static List<byte[]> Utf8(IEnumerable<string> texts) => texts.Select(Encoding.UTF8.GetBytes).ToList();

    /// <summary>Uploads the files at once and waits until every one is PROCESSED.</summary>
    private static async Task<(Guid[] Ids, List<JsonElement> Processed)> ProcessAsync(
        KnowledgeClient client, IReadOnlyList<byte[]> files, CancellationToken cancellationToken)
    {
        var ids = await Task.WhenAll(files.Select((file, i) => client.UploadAsync($"doc-{i}.txt", file, cancellationToken)));
        return (ids, await client.WaitProcessedAsync(ids, TimeSpan.FromMilliseconds(20), TimeSpan.FromMinutes(30), cancellationToken));
    }

    /// <summary>
    /// The CPU the Worker's extraction and chunker take for the same files, one after the other: the least of three
    /// passes, once the JIT has settled, so background work in this process (tiered compilation, GC) stays out of it.
    /// </summary>
    private static async Task<TimeSpan> ExtractAndChunkCpuAsync(Stack stack, IReadOnlyList<byte[]> files, CancellationToken cancellationToken)
    {
        var extraction = stack.Worker.Services.GetRequiredService<DocumentExtractionService>();
        var chunker = stack.Worker.Services.GetRequiredService<TextChunker>();
        var least = TimeSpan.MaxValue;
        for (var pass = 0; pass < 3; pass++)
        {
            await CpuSnapshot.WaitForJitToSettleAsync(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), cancellationToken);
            var before = ProcessCpu();
            foreach (var file in files)
            {
                var extracted = await extraction.ExtractAsync(DocumentType.Txt, new MemoryStream(file, writable: false), cancellationToken);
                chunker.Chunk(extracted.Sections, cancellationToken: cancellationToken);
            }

            var cpu = ProcessCpu() - before;
            least = cpu < least ? cpu : least;
        }
        return least;
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    // The same texts the pipeline embedded (heading + text), in the same batches with the same concurrency.
    private static async Task<(double Seconds, TimeSpan Cpu)> EmbedderAloneAsync(Stack stack, Guid tenantId, IReadOnlyCollection<Guid> documentIds, CancellationToken cancellationToken)
    {
        await using var scope = stack.Api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.Tenant.SetTenant(tenantId);
        var texts = await db.DocumentChunks.Where(c => documentIds.Contains(c.DocumentId)).OrderBy(c => c.DocumentId).ThenBy(c => c.Ordinal)
            .Select(c => c.Heading == null ? c.Text : c.Heading + "\n" + c.Text).ToListAsync(cancellationToken);
        var generator = scope.ServiceProvider.GetRequiredService<IEmbeddingGeneratorProvider>().GetGenerator(tenantId).Generator;
        var options = new IngestionOptions();
        var batches = texts.Chunk(options.EmbeddingBatchSize).ToList();
        var cpuBefore = ProcessCpu();
        var started = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = options.EmbeddingConcurrency, CancellationToken = cancellationToken },
            async (batch, ct) => await generator.GenerateAsync(batch, cancellationToken: ct));
        return (Stopwatch.GetElapsedTime(started).TotalSeconds, ProcessCpu() - cpuBefore);
    }

    /// <summary>A text PDF of at least <paramref name="bytes"/> bytes, <see cref="Marker"/> on its last page.</summary>
    private static (byte[] Pdf, int Pages) TextPdf(int bytes)
    {
        const int linesPerPage = 45;
        var pageCount = 64;
        while (true)
        {
            var text = new SyntheticText(seed: 42);
            var pages = Enumerable.Range(0, pageCount).Select(_ => Enumerable.Range(0, linesPerPage).Select(_ => text.Sentence()).ToList()).ToList();
            pages[^1][^1] = Marker;
            using var builder = new PdfDocumentBuilder();
            var font = builder.AddStandard14Font(Standard14Font.Helvetica);
            foreach (var lines in pages)
            {
                var page = builder.AddPage(PageSize.A4);
                for (var i = 0; i < lines.Count; i++)
                {
                    page.AddText(lines[i], 9, new PdfPoint(40, 800 - i * 17), font);
                }
            }

            var pdf = builder.Build();
            if (pdf.Length >= bytes)
            {
                return (pdf, pageCount);
            }
            // Pages are alike in size: scale the count to the target, and a little more.
            pageCount = (int)Math.Ceiling(pageCount * (double)bytes / pdf.Length * 1.02);
        }
    }

    private sealed record Throughput(
        int Documents, int Chunks, double PipelineSeconds, double EmbedderSeconds, CpuSnapshot PipelineCpu, TimeSpan EmbedderCpu, TimeSpan ExtractAndChunkCpu);

    /// <summary>An API and a Worker on one fresh database, with the same embedding settings.</summary>
    private sealed class Stack : IAsyncDisposable
    {
        private Stack(string name, ApiHost api, WorkerHost worker)
        {
            Name = name;
            Api = api;
            Worker = worker;
        }

        public string Name { get; }
        public ApiHost Api { get; }
        public WorkerHost Worker { get; }

        public static async Task<Stack> StartAsync(string name, IReadOnlyDictionary<string, string?> settings)
        {
            BenchProgress.Write($"{name}: starting the API (migrating its database) and the Worker...");
            // Short: PostgreSQL cuts database names at 63 characters, and the CPU meter finds the backends by the full name.
            var api = await ApiHost.StartAsync($"ingest_{name}", settings);
            var worker = new WorkerHost(api.DatabaseConnectionString, settings);
            worker.Start();
            return new Stack(name, api, worker);
        }

        public async Task<(KnowledgeClient Client, Guid TenantId)> NewTenantAsync()
        {
            var (client, tenantId) = await ApiSetup.RegisterTenantWithIdAsync(Api.BaseAddress, $"{Name} tenant");
            return (new KnowledgeClient(client), tenantId);
        }

        public async ValueTask DisposeAsync()
        {
            BenchProgress.Write($"{Name}: stopping the Worker and the API, dropping the database...");
            await Worker.StopAsync();
            await Api.StopAsync();
        }
    }
}
