using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using AiPlatform.Benchmarks.Infrastructure;
using AiPlatform.Benchmarks.Reporting;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.Benchmarks.FirstToken;

/// <summary>
/// Issue 3, item 9. First-token latency of a streamed chat turn through the API
/// (<c>POST /api/v1/conversations/{id}/messages</c>, <c>Accept: text/event-stream</c>: from sending the request to the
/// first <c>delta</c> event) against a streamed call straight to the same fake model server
/// (<c>POST /v1/chat/completions</c>, <c>stream: true</c>: from sending the request to the first content chunk), with the
/// fake holding back its first token for a fixed delay. The difference is what the API adds. A third path, the same
/// call through a <see cref="BareRelay"/>, gives the part of that difference any HTTP gateway pays on this machine.
/// </summary>
public sealed class FirstTokenBenchmark : IBenchmark
{
    public const string Model = "fake-gpt";
    public const string ProviderApiKey = "sk-bench";
    public const string SystemPrompt = "You are a helpful assistant.";
    public const string UserMessage = "What is the capital of France?";

    /// <summary>The issue's target, at <see cref="TargetStreams"/> concurrent streams.</summary>
    public const double TargetAddedP50Ms = 1.0;

    public const double TargetAddedP99Ms = 5.0;

    public const int TargetStreams = 50;

    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private static readonly MediaTypeHeaderValue Json = new("application/json") { CharSet = "utf-8" };

    public string Name => "first-token";

    public string Description => "first-token latency of a streamed chat turn via the API vs. straight to the fake model (issue 3 #9)";

    public string Usage => """
          --streams 1,50               concurrency levels; each stream sends its requests back to back (default 1,50)
          --requests 500               measured requests per level and path (default 500)
          --jit-warmup 1000            unmeasured requests per path before the first level, at up to 10 streams, so the
                                       JIT's tiering is done before anything is measured (default 1000)
          --warmup 50                  unmeasured requests per level and path, sent first (default 50)
          --delay-ms 20                the fake model's first-token delay (default 20)
          --reply-tokens 100           tokens in the fake's reply at levels above 1 stream (default 100)
          --reply-ms 2000              how long the fake takes to stream them after the first (default 2000: 50 tokens/s, a
                                       hosted model's pace), so N streams are N replies streaming at once. At 1 stream, and
                                       at every level with 0, the reply is one short sentence sent at once: turns then
                                       follow back to back and N streams saturate the machine (a throughput test)
          --turns-per-conversation 10  a stream moves on to a fresh conversation after this many turns, so every level
                                       sends the same history size (0: one conversation per stream for the whole run)
          --profile                    afterwards, a traced pass per level showing where the API's time goes
          --profile-requests 300       requests in each traced pass (default 300)
          --db-options "..."           Npgsql connection-string keywords added to the API's (e.g. "Max Auto Prepare=20"):
                                       deployment settings to try without changing the product
        """;

    public async Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken)
    {
        var settings = new Settings(
            Streams: args.IntList("streams", [1, 50], min: 1, max: 1000),
            Requests: args.Int("requests", 500, min: 1),
            Warmup: args.Int("warmup", 50, min: 0),
            JitWarmup: args.Int("jit-warmup", 1000, min: 0),
            DbOptions: args.Value("db-options"),
            DelayMs: args.Int("delay-ms", 20, min: 0, max: 60_000),
            ReplyTokens: args.Int("reply-tokens", 100, min: 1, max: 10_000),
            ReplyMs: args.Int("reply-ms", 2000, min: 0, max: 600_000),
            TurnsPerConversation: args.Int("turns-per-conversation", 10, min: 0),
            Profile: args.Flag("profile"),
            ProfileRequests: args.Int("profile-requests", 300, min: 1));

        PrintHeader(settings);
        await using var fake = await FakeOpenAiServer.StartAsync();
        await using var relay = await BareRelay.StartAsync(fake.Endpoint);
        Progress("starting the API (migrating its database)...");
        // With --profile, a commit timer rides along in EF (inert until the traced passes; it only reads a flag per commit).
        var api = await ApiHost.StartAsync("firsttoken", ApiSettings(fake.Endpoint), settings.Profile ? FirstTokenProfiler.Instrument : null,
            settings.DbOptions);
        try
        {
            Console.WriteLine($"api       : {api.BaseAddress} (Kestrel on loopback, {ApiHost.Environment}, build {MachineInfo.BuildOf(typeof(global::Program))}, " +
                $"logging Warning), database {api.Database.Name}");
            Console.WriteLine($"database  : {(string.IsNullOrWhiteSpace(settings.DbOptions) ? "as the RUN command's local mode connects (no TLS on loopback)" : $"connection string plus \"{settings.DbOptions}\" (--db-options)")}");
            Console.WriteLine($"fake model: {fake.Endpoint} (in-process Kestrel, first-token delay {settings.DelayMs} ms, then {DescribeReplies(settings)})");
            Console.WriteLine($"bare relay: {relay.Endpoint} (in-process Kestrel forwarding to the fake with an HttpClient, copying the stream back; nothing else)");
            Console.WriteLine();

            var (setup, accessToken) = await ApiSetup.RegisterTenantAsync(api.BaseAddress, "Benchmark tenant");
            using var _ = setup;
            var assistantId = await ApiSetup.CreateAssistantAsync(setup, "Benchmark assistant", Model, SystemPrompt);
            using var apiClient = BenchHttp.CreateClient(api.BaseAddress);
            using var directClient = BenchHttp.CreateClient();
            var turns = new Turns(fake, relay.Endpoint, settings, apiClient, accessToken, directClient);

            if (settings.JitWarmup > 0)
            {
                var streams = Math.Min(10, settings.Streams.Max());
                var conversations = await ConversationsAsync(setup, assistantId, streams, settings.JitWarmup, settings, cancellationToken);
                Progress($"JIT warm-up: {settings.JitWarmup} requests per path at {streams} stream(s)...");
                await ClosedLoop.RunAsync(streams, settings.JitWarmup, (stream, _, ct) => turns.DirectAsync(stream, false, ct), cancellationToken);
                await ClosedLoop.RunAsync(streams, settings.JitWarmup, (stream, _, ct) => turns.RelayAsync(stream, false, ct), cancellationToken);
                await ClosedLoop.RunAsync(streams, settings.JitWarmup,
                    (stream, _, ct) => turns.ViaApiAsync(conversations, stream, false, ct), cancellationToken);
                var compiled = await CpuSnapshot.WaitForJitToSettleAsync(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), cancellationToken);
                Progress($"JIT warm-up: the JIT settled ({compiled} more methods compiled after the warm-up)");
            }

            var levels = new List<LevelResult>();
            foreach (var streams in settings.Streams)
            {
                var conversations = await ConversationsAsync(setup, assistantId, streams, settings.Warmup + settings.Requests, settings, cancellationToken);
                turns.Reply = ReplyAt(streams, settings);
                var stagger = turns.Reply.FirstTokenDelay + turns.Reply.ChunkDelay * turns.Reply.Pieces.Count;
                var direct = await RunPathAsync("direct", api.Database.Name, streams, stagger, settings, turns.DirectAsync, cancellationToken);
                var relayed = await RunPathAsync("bare relay", api.Database.Name, streams, stagger, settings, turns.RelayAsync, cancellationToken);
                var viaApi = await RunPathAsync("via API", api.Database.Name, streams, stagger, settings,
                    (stream, stamp, ct) => turns.ViaApiAsync(conversations, stream, stamp, ct), cancellationToken);
                levels.Add(new LevelResult(streams, direct, relayed, viaApi));
            }

            Console.WriteLine();
            PrintResults(levels, settings);

            if (settings.Profile)
            {
                var profiler = new FirstTokenProfiler(api);
                foreach (var streams in settings.Streams)
                {
                    var conversations = await ConversationsAsync(setup, assistantId, streams, settings.ProfileRequests * 2, settings, cancellationToken);
                    turns.Reply = ReplyAt(streams, settings);
                    Progress($"{streams} stream(s): traced pass, {settings.ProfileRequests} requests per path...");
                    var report = await profiler.ProfileAsync(streams, settings.ProfileRequests,
                        turns.DirectAsync, (stream, stamp, ct) => turns.ViaApiAsync(conversations, stream, stamp, ct), cancellationToken);
                    Console.WriteLine(report);
                }

                Console.WriteLine(await profiler.MeasureRoundTripsAsync(cancellationToken));
            }
        }
        finally
        {
            Progress("stopping the API and dropping its database...");
            await api.StopAsync();
        }

        return 0;
    }

    /// <summary>
    /// What the fake answers at a level: one stream cannot overlap its own turns, so there a long reply would only make the
    /// run longer; with more streams it is what keeps that many replies streaming at once.
    /// </summary>
    private static TextReply ReplyAt(int streams, Settings settings)
    {
        var reply = FakeReply.Text(FakeOpenAiServer.DefaultText) with { FirstTokenDelay = TimeSpan.FromMilliseconds(settings.DelayMs) };
        return streams == 1 || settings.ReplyMs == 0
            ? reply
            : reply with
            {
                Content = string.Join(' ', Enumerable.Range(0, settings.ReplyTokens).Select(i => SyntheticWords[i % SyntheticWords.Length])),
                ChunkDelay = TimeSpan.FromMilliseconds((double)settings.ReplyMs / Math.Max(1, settings.ReplyTokens - 1)),
            };
    }

    private static readonly string[] SyntheticWords = ["The", "capital", "of", "France", "is", "Paris,", "on", "the", "Seine."];

    private static string DescribeReplies(Settings settings) => settings.ReplyMs == 0
        ? $"\"{FakeOpenAiServer.DefaultText}\" word by word at once"
        : $"at 1 stream \"{FakeOpenAiServer.DefaultText}\" word by word at once; above, {settings.ReplyTokens} tokens over {settings.ReplyMs} ms";

    /// <summary>The API with one OpenAI-compatible provider, <c>fake</c>, whose one model costs nothing (credits never refuse a turn).</summary>
    private static Dictionary<string, string?> ApiSettings(Uri fakeEndpoint) => new()
    {
        ["AI:Local:TokenDelayMs"] = "0",
        ["AI:Providers:0:Name"] = "fake",
        ["AI:Providers:0:Kind"] = "openai",
        ["AI:Providers:0:Endpoint"] = fakeEndpoint.ToString(),
        ["AI:Providers:0:ApiKey"] = ProviderApiKey,
        ["AI:Providers:0:Models:0:Id"] = Model,
        ["AI:Providers:0:Models:0:ContextWindow"] = "8192",
        ["AI:Providers:0:Models:0:MaxOutputTokens"] = "512",
        ["AI:Providers:0:Models:0:InputCostPer1kTokens"] = "0",
        ["AI:Providers:0:Models:0:OutputCostPer1kTokens"] = "0",
        ["AI:Providers:0:Models:0:Capabilities:0"] = "chat",
        ["AI:Providers:0:Models:0:Capabilities:1"] = "streaming",
    };

    private static async Task<ConversationPool> ConversationsAsync(
        HttpClient setup, Guid assistantId, int streams, int turns, Settings settings, CancellationToken cancellationToken)
    {
        var count = streams + (settings.TurnsPerConversation == 0 ? 0 : (turns + settings.TurnsPerConversation - 1) / settings.TurnsPerConversation);
        Progress($"{streams} stream(s): opening {count} conversations...");
        var ids = new List<Guid>(count);
        for (var i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ids.Add(await ApiSetup.CreateConversationAsync(setup, assistantId, $"Benchmark {streams}/{i}"));
        }

        return new ConversationPool(ids, streams, settings.TurnsPerConversation);
    }

    /// <summary>
    /// One path at one level: <c>Warmup</c> requests, a pause until the JIT has settled, then one continuous load whose
    /// first request per stream (while the staggered streams start) and last <c>streams</c> requests (sent only so that
    /// the measured ones finish under the full load) are not measured; CPU and throughput are taken over the measured
    /// requests' window.
    /// </summary>
    private static async Task<PathResult> RunPathAsync(
        string path, string database, int streams, TimeSpan stagger, Settings settings, Func<int, bool, CancellationToken, Task<TurnSample>> send,
        CancellationToken cancellationToken)
    {
        if (settings.Warmup > 0)
        {
            Progress($"{streams} stream(s), {path}: warming up with {settings.Warmup} requests...");
            await ClosedLoop.RunAsync(streams, settings.Warmup, (stream, _, ct) => send(stream, false, ct), cancellationToken, stagger);
            await CpuSnapshot.WaitForJitToSettleAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(20), cancellationToken);
        }

        var (rampUp, measuredEnd) = (streams, streams + settings.Requests);
        Progress($"{streams} stream(s), {path}: measuring {settings.Requests} requests...");
        CpuSnapshot before = default, after = default;
        long windowStart = 0, windowEnd = 0;
        var (samples, _) = await ClosedLoop.RunAsync(streams, measuredEnd + streams - 1, (stream, index, ct) =>
        {
            if (index == rampUp)
            {
                (before, windowStart) = (CpuSnapshot.Take(database), Stopwatch.GetTimestamp());
            }
            else if (index == measuredEnd)
            {
                (after, windowEnd) = (CpuSnapshot.Take(database), Stopwatch.GetTimestamp());
            }

            return send(stream, false, ct);
        }, cancellationToken, stagger);
        if (windowEnd == 0)
        {
            (after, windowEnd) = (CpuSnapshot.Take(database), Stopwatch.GetTimestamp());
        }

        return new PathResult(samples[rampUp..measuredEnd], Stopwatch.GetElapsedTime(windowStart, windowEnd), after - before);
    }

    private static void PrintHeader(Settings settings)
    {
        Console.WriteLine("AiPlatform benchmark: first-token (issue 3, item 9)");
        Console.WriteLine($"machine   : {MachineInfo.Describe()}");
        Console.WriteLine($"load      : {MachineInfo.LoadAverage()} at start");
        Console.WriteLine($"run       : streams {string.Join(",", settings.Streams)}; {settings.JitWarmup} JIT warm-up requests per path first, then per level and path " +
            $"{settings.Warmup} warm-up + {settings.Requests} measured " +
            $"requests; fake first-token delay {settings.DelayMs} ms; replies: {DescribeReplies(settings)}; " +
            (settings.TurnsPerConversation == 0 ? "one conversation per stream" : $"a fresh conversation every {settings.TurnsPerConversation} turns per stream") +
            "; paths run one after the other (direct, bare relay, via API) at each level");
        Console.WriteLine("client    : HttpClient + SocketsHttpHandler (HTTP/1.1, no proxy, unbounded connections) for every path; " +
            "first token = first `delta` event (via API) / first chunk with content (direct, bare relay)");
    }

    private static void PrintResults(List<LevelResult> levels, Settings settings)
    {
        Console.WriteLine("First-token latency, ms (request sent -> first token read)          whole turn, ms (-> end of stream)");
        var table = new TextTable("streams", "path", "n", "errors", "p50", "p90", "p99", "max", "mean", "req/s", "turn p50", "turn p99",
            "cpu/req here", "cpu/req pg", "alloc/req KB", "gc pause/req", "jit");
        foreach (var level in levels)
        {
            foreach (var (name, path) in level.Paths)
            {
                table.Row(level.Streams, name, path.FirstToken.Count, path.Errors, path.FirstToken.P50, path.FirstToken.P90, path.FirstToken.P99,
                    path.FirstToken.Max, path.FirstToken.Mean, path.RequestsPerSecond.ToString("0.0", CultureInfo.InvariantCulture),
                    path.Turn.P50, path.Turn.P99, path.CpuPerRequest.Process.TotalMilliseconds, path.CpuPerRequest.Postgres.TotalMilliseconds,
                    (path.CpuPerRequest.AllocatedBytes / 1024.0).ToString("0", CultureInfo.InvariantCulture), path.CpuPerRequest.GcPause.TotalMilliseconds,
                    path.CpuPerRequest.JitMethods);
            }

            if (level != levels[^1])
            {
                table.Rule();
            }
        }

        Console.Write(table);
        Console.WriteLine("cpu/req: CPU ms per request in this process (the API, and for every path the load generator and the fake model) " +
            "and in the PostgreSQL backends of the benchmark's database; alloc/req and gc pause/req: this process's managed allocations and GC pauses; " +
            "jit: methods compiled during the measured requests (should be near 0). " +
            "The API's own share is roughly the via-API figure minus the direct one.");
        Console.WriteLine();
        Console.WriteLine($"Added by the API (via API minus direct, percentile by percentile), ms. Target (issue 3) at {TargetStreams} streams: " +
            $"p50 <= {TargetAddedP50Ms:0.0} ms, p99 <= {TargetAddedP99Ms:0.0} ms (LiteLLM adds 4.3 ms, Portkey 2.4 ms in the same kind of test)");
        var added = new TextTable("streams", "added p50", "target", "p50 met", "added p90", "added p99", "target", "p99 met", "added max");
        foreach (var level in levels)
        {
            var (direct, api) = (level.Direct.FirstToken, level.ViaApi.FirstToken);
            var p50 = api.P50 - direct.P50;
            var p99 = api.P99 - direct.P99;
            var judged = level.Streams == TargetStreams;
            added.Row(level.Streams, TextTable.SignedMs(p50), $"<= {TargetAddedP50Ms:0.00}", Verdict(p50 <= TargetAddedP50Ms, judged),
                TextTable.SignedMs(api.P90 - direct.P90), TextTable.SignedMs(p99), $"<= {TargetAddedP99Ms:0.00}", Verdict(p99 <= TargetAddedP99Ms, judged),
                TextTable.SignedMs(api.Max - direct.Max));
        }

        Console.WriteLine(added);
        Console.WriteLine("Added by the bare relay (relay minus direct): one more HTTP hop in and out on this machine, the floor under any gateway's figure. " +
            "The API beyond it (via API minus relay) is its own work.");
        var floor = new TextTable("streams", "relay adds p50", "relay adds p99", "API beyond relay p50", "API beyond relay p99");
        foreach (var level in levels)
        {
            var (direct, relay, api) = (level.Direct.FirstToken, level.Relay.FirstToken, level.ViaApi.FirstToken);
            floor.Row(level.Streams, TextTable.SignedMs(relay.P50 - direct.P50), TextTable.SignedMs(relay.P99 - direct.P99),
                TextTable.SignedMs(api.P50 - relay.P50), TextTable.SignedMs(api.P99 - relay.P99));
        }

        Console.WriteLine(floor);
        if (!settings.Streams.Contains(TargetStreams))
        {
            Console.WriteLine($"(the target is defined at {TargetStreams} streams, which this run did not measure)");
        }

        foreach (var level in levels)
        {
            foreach (var (name, path) in level.Paths)
            {
                foreach (var (error, count) in path.ErrorSummary)
                {
                    Console.WriteLine($"errors at {level.Streams} stream(s), {name}: {count} x {error}");
                }
            }
        }

        Console.WriteLine($"load      : {MachineInfo.LoadAverage()} at end");
        Console.WriteLine();

        static string Verdict(bool met, bool judged) => (met ? "yes" : "NO") + (judged ? "" : " (*)");
    }

    internal static void Progress(string message) => BenchProgress.Write(message);

    internal sealed record Settings(
        IReadOnlyList<int> Streams, int Requests, int Warmup, int JitWarmup, string? DbOptions, int DelayMs, int ReplyTokens, int ReplyMs,
        int TurnsPerConversation, bool Profile, int ProfileRequests);

    private sealed record LevelResult(int Streams, PathResult Direct, PathResult Relay, PathResult ViaApi)
    {
        public IEnumerable<(string Name, PathResult Path)> Paths => [("direct", Direct), ("relay", Relay), ("via API", ViaApi)];
    }

    private sealed class PathResult(TurnSample[] samples, TimeSpan elapsed, CpuSnapshot cpu)
    {
        public CpuSnapshot CpuPerRequest { get; } = cpu.Per(samples.Length);

        public LatencyStats FirstToken { get; } = new(samples.Where(s => s.Ok).Select(s => s.FirstTokenMs));

        public LatencyStats Turn { get; } = new(samples.Where(s => s.Ok).Select(s => s.TurnMs));

        public int Errors { get; } = samples.Count(s => !s.Ok);

        public double RequestsPerSecond { get; } = samples.Count(s => s.Ok) / elapsed.TotalSeconds;

        public IEnumerable<(string Error, int Count)> ErrorSummary =>
            samples.Where(s => !s.Ok).GroupBy(s => s.Error!).Select(g => (g.Key, g.Count())).Take(5);
    }

    /// <summary>
    /// Each stream's current conversation, moved on to a fresh one after a set number of turns (history stays the same
    /// size at every level, instead of growing with the requests a stream sends).
    /// </summary>
    internal sealed class ConversationPool
    {
        private readonly ConcurrentQueue<Guid> _spare;
        private readonly Guid[] _current;
        private readonly int[] _turns;
        private readonly int _turnsPerConversation;

        public ConversationPool(IReadOnlyList<Guid> ids, int streams, int turnsPerConversation)
        {
            _current = ids.Take(streams).ToArray();
            _spare = new ConcurrentQueue<Guid>(ids.Skip(streams));
            _turns = new int[streams];
            _turnsPerConversation = turnsPerConversation;
        }

        /// <summary>Called by one stream at a time (each stream is sequential).</summary>
        public Guid Next(int stream)
        {
            if (_turnsPerConversation > 0 && _turns[stream] == _turnsPerConversation && _spare.TryDequeue(out var fresh))
            {
                _current[stream] = fresh;
                _turns[stream] = 0;
            }

            _turns[stream]++;
            return _current[stream];
        }
    }

    /// <summary>The three ways of getting a streamed answer, sent and timed the same way.</summary>
    internal sealed class Turns(FakeOpenAiServer fake, Uri relayEndpoint, Settings settings, HttpClient apiClient, string accessToken, HttpClient directClient)
    {
        /// <summary>What the fake answers every turn of every path (set per level).</summary>
        public TextReply Reply { get; set; } = ReplyAt(1, settings);
        private readonly Uri _directUri = new(fake.Endpoint.ToString().TrimEnd('/') + "/chat/completions");
        private readonly Uri _relayUri = new(relayEndpoint.ToString().TrimEnd('/') + "/chat/completions");
        private readonly AuthenticationHeaderValue _apiAuthorization = new("Bearer", accessToken);
        private readonly AuthenticationHeaderValue _providerAuthorization = new("Bearer", ProviderApiKey);

        // What Semantic Kernel's OpenAI connector sends for a first turn, near enough.
        private readonly byte[] _directBody = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["messages"] = new object[] { new { role = "system", content = SystemPrompt }, new { role = "user", content = UserMessage } },
            ["model"] = Model,
            ["max_completion_tokens"] = 512,
            ["temperature"] = 0.7,
            ["stream"] = true,
            ["stream_options"] = new { include_usage = true },
        });

        private readonly byte[] _apiBody = JsonSerializer.SerializeToUtf8Bytes(new { content = UserMessage });

        public Task<TurnSample> DirectAsync(int stream, bool stamp, CancellationToken cancellationToken) =>
            ModelCallAsync(_directUri, stamp, cancellationToken);

        public Task<TurnSample> RelayAsync(int stream, bool stamp, CancellationToken cancellationToken) =>
            ModelCallAsync(_relayUri, stamp, cancellationToken);

        /// <summary>The model's own streamed call, straight to the fake or through the bare relay.</summary>
        private Task<TurnSample> ModelCallAsync(Uri uri, bool stamp, CancellationToken cancellationToken)
        {
            fake.Enqueue(Reply);
            var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = Body(_directBody) };
            request.Headers.Accept.Add(EventStream);
            request.Headers.Authorization = _providerAuthorization;
            return MeasureAsync(directClient, request, ClassifyDirect, stamp, cancellationToken);
        }

        public Task<TurnSample> ViaApiAsync(ConversationPool conversations, int stream, bool stamp, CancellationToken cancellationToken)
        {
            fake.Enqueue(Reply);
            var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/conversations/{conversations.Next(stream)}/messages") { Content = Body(_apiBody) };
            request.Headers.Accept.Add(EventStream);
            request.Headers.Authorization = _apiAuthorization;
            return MeasureAsync(apiClient, request, ClassifyApi, stamp, cancellationToken);
        }

        private static ByteArrayContent Body(byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = Json;
            return content;
        }

        private static SseKind ClassifyApi(SseItem<string> item, bool firstSeen) => item.EventType switch
        {
            "delta" => SseKind.Token,
            "done" => SseKind.End,
            "error" => SseKind.Error,
            _ => SseKind.Other,
        };

        private static SseKind ClassifyDirect(SseItem<string> item, bool firstSeen)
        {
            if (item.Data == "[DONE]")
            {
                return SseKind.End;
            }

            if (firstSeen)
            {
                return SseKind.Other;
            }

            using var chunk = JsonDocument.Parse(item.Data);
            return chunk.RootElement.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
                && content.ValueKind == JsonValueKind.String && content.GetString() is { Length: > 0 }
                    ? SseKind.Token
                    : SseKind.Other;
        }

        /// <summary>Sends, then reads the stream to its end; the clock starts just before the send.</summary>
        private static async Task<TurnSample> MeasureAsync(
            HttpClient client, HttpRequestMessage request, Func<SseItem<string>, bool, SseKind> classify, bool stamp, CancellationToken cancellationToken)
        {
            using var _ = request;
            var sentUtc = stamp ? DateTime.UtcNow : default;
            var started = Stopwatch.GetTimestamp();
            long first = 0;
            var firstUtc = default(DateTime);
            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (!response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsStringAsync(cancellationToken);
                    return TurnSample.Failed($"HTTP {(int)response.StatusCode}: {Snippet(body)}");
                }

                await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
                var ended = false;
                await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
                {
                    switch (classify(item, first != 0))
                    {
                        case SseKind.Token when first == 0:
                            first = Stopwatch.GetTimestamp();
                            if (stamp)
                            {
                                firstUtc = DateTime.UtcNow;
                            }

                            break;
                        case SseKind.End:
                            ended = true;
                            break;
                        case SseKind.Error:
                            return TurnSample.Failed($"error event: {Snippet(item.Data)}");
                    }
                }

                var finished = Stopwatch.GetTimestamp();
                if (first == 0 || !ended)
                {
                    return TurnSample.Failed(first == 0 ? "the stream had no token" : "the stream ended without its last event");
                }

                return new TurnSample(true, LatencyStats.Milliseconds(started, first), LatencyStats.Milliseconds(started, finished), null,
                    sentUtc, firstUtc);
            }
            catch (HttpRequestException e)
            {
                return TurnSample.Failed($"{e.GetType().Name}: {e.Message}");
            }
            catch (IOException e)
            {
                return TurnSample.Failed($"{e.GetType().Name}: {e.Message}");
            }
        }

        private static string Snippet(string text)
        {
            var line = text.ReplaceLineEndings(" ");
            return line.Length <= 200 ? line : line[..200] + "...";
        }
    }

    internal enum SseKind
    {
        Other,
        Token,
        End,
        Error,
    }
}

/// <param name="SentUtc">When the request was sent (only when asked to stamp: the traced pass lines it up with the server's spans).</param>
/// <param name="FirstTokenUtc">When the first token was read (idem).</param>
public readonly record struct TurnSample(bool Ok, double FirstTokenMs, double TurnMs, string? Error, DateTime SentUtc, DateTime FirstTokenUtc)
{
    public static TurnSample Failed(string error) => new(false, double.NaN, double.NaN, error, default, default);
}
