using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using AiPlatform.Benchmarks.Infrastructure;
using AiPlatform.Benchmarks.Reporting;
using AiPlatform.Core.AI;
using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Npgsql;
using StackExchange.Redis;
using StackExchange.Redis.Profiling;

namespace AiPlatform.Benchmarks.FirstToken;

/// <summary>
/// <c>first-token --profile</c>: where the API's added time goes, from the spans the stack already emits
/// (ASP.NET Core's request, HttpClient's calls, Npgsql's commands), collected in this process with an
/// <see cref="ActivityListener"/> — no change to the product. Each traced turn is lined up with the client's own
/// send and first-token times. Two things the spans do not show are timed too: the COMMIT of EF transactions (an
/// interceptor added with <see cref="Instrument"/>) and the Redis commands (StackExchange.Redis' own profiler).
/// The tracing costs a little itself, so these passes are not the benchmark's figures.
/// </summary>
internal sealed partial class FirstTokenProfiler(ApiHost api)
{
    private const string SourceName = "AiPlatform.Benchmarks";

    private static readonly ActivitySource Source = new(SourceName);

    private static readonly ConcurrentQueue<Span> Spans = new();
    private static volatile bool _tracing;

    /// <summary>Adds the COMMIT timer to the API's DbContext (on top of its own configuration).</summary>
    public static void Instrument(IServiceCollection services) =>
        services.ConfigureDbContext<AppDbContext>((_, options) => options.AddInterceptors(new CommitTimer()));

    public async Task<string> ProfileAsync(
        int streams, int requests,
        Func<int, bool, CancellationToken, Task<TurnSample>> direct,
        Func<int, bool, CancellationToken, Task<TurnSample>> viaApi,
        CancellationToken cancellationToken)
    {
        using var listener = new ActivityListener
        {
            // By name: the benchmark's own source may be created (and asked) while this listener is being added.
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http" or "Npgsql" or SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => Spans.Enqueue(Span.Of(activity)),
        };
        ActivitySource.AddActivityListener(listener);
        var redis = api.Services.GetRequiredService<IConnectionMultiplexer>();
        var redisSessions = new ConcurrentDictionary<ActivityTraceId, ProfilingSession>();
        redis.RegisterProfiler(() => Activity.Current is { } current ? redisSessions.GetOrAdd(current.TraceId, _ => new ProfilingSession()) : null);
        _tracing = true;
        List<TracedTurn> directTurns, apiTurns;
        try
        {
            directTurns = await TracedAsync(streams, requests, direct, cancellationToken);
            apiTurns = await TracedAsync(streams, requests, viaApi, cancellationToken);
        }
        finally
        {
            _tracing = false;
            redis.RegisterProfiler(() => null);
        }

        foreach (var (traceId, session) in redisSessions)
        {
            foreach (var command in session.FinishProfiling())
            {
                Spans.Enqueue(new Span("Redis", traceId, default, default, command.CommandCreated.Kind == DateTimeKind.Local ? command.CommandCreated.ToUniversalTime() : command.CommandCreated, command.ElapsedTime, command.Command));
            }
        }

        var spans = Spans.ToArray().GroupBy(s => s.TraceId).ToDictionary(g => g.Key, g => g.OrderBy(s => s.Start).ToList());
        Spans.Clear();
        return Report(streams, directTurns.Select(t => DirectTimeline.Of(t, spans)).OfType<DirectTimeline>().ToList(),
            apiTurns.Select(t => ApiTimeline.Of(t, spans)).OfType<ApiTimeline>().ToList());
    }

    /// <summary>Round trips to the stores on their own, one at a time on an idle machine: the unit costs behind the profile.</summary>
    public async Task<string> MeasureRoundTripsAsync(CancellationToken cancellationToken)
    {
        const int n = 300;
        FirstTokenBenchmark.Progress($"measuring single round trips to PostgreSQL and Redis ({n} each)...");
        var table = new TextTable("round trip (sequential, idle)", "p50", "p90", "p99", "mean");
        var tls = false;
        await using (var connection = new NpgsqlConnection(api.DatabaseConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            tls = IsTls(connection);
            await Execute(connection, "CREATE TABLE IF NOT EXISTS bench_probe (id bigserial PRIMARY KEY, body text NOT NULL)");
            Add(table, "PostgreSQL: SELECT 1 on an open connection", await TimeAsync(n, () => Execute(connection, "SELECT 1")));
            Add(table, "PostgreSQL: the tenant set_config on an open connection", await TimeAsync(n, () => Execute(connection,
                "SELECT set_config('app.tenant_id', '00000000-0000-0000-0000-000000000000', false), set_config('app.bypass_rls', 'off', false)")));
            Add(table, "PostgreSQL: BEGIN; INSERT; COMMIT (WAL flush)", await TimeAsync(n, async () =>
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, "INSERT INTO bench_probe (body) VALUES ('probe')");
                await transaction.CommitAsync(cancellationToken);
            }));
        }

        // What EF does for every query outside a transaction: take a pooled connection, the tenant interceptor's set_config,
        // the query, give the connection back. As the API is configured, then with the pool's reset (DISCARD ALL on the
        // next use) turned off, then with TLS turned off (if it was on).
        var configured = new NpgsqlConnectionStringBuilder(api.DatabaseConnectionString);
        var variants = new List<(string Name, string ConnectionString)>
        {
            ("as configured", configured.ConnectionString),
            ("No Reset On Close", new NpgsqlConnectionStringBuilder(configured.ConnectionString) { NoResetOnClose = true }.ConnectionString),
        };
        if (tls)
        {
            variants.Add(("SSL Mode=Disable", new NpgsqlConnectionStringBuilder(configured.ConnectionString) { SslMode = SslMode.Disable }.ConnectionString));
        }

        foreach (var (name, connectionString) in variants)
        {
            Add(table, $"Npgsql: pooled open + set_config + SELECT 1 + close ({name})", await TimeAsync(n, async () =>
            {
                await using var pooled = new NpgsqlConnection(connectionString);
                await pooled.OpenAsync(cancellationToken);
                await Execute(pooled,
                    "SELECT set_config('app.tenant_id', '00000000-0000-0000-0000-000000000000', false), set_config('app.bypass_rls', 'off', false)");
                await Execute(pooled, "SELECT 1");
            }));
        }

        if (tls)
        {
            await using var plain = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(configured.ConnectionString) { SslMode = SslMode.Disable }.ConnectionString);
            await plain.OpenAsync(cancellationToken);
            Add(table, "PostgreSQL: SELECT 1 on an open connection, SSL Mode=Disable", await TimeAsync(n, () => Execute(plain, "SELECT 1")));
        }

        await using (var redis = await ConnectionMultiplexer.ConnectAsync(BenchServers.Redis))
        {
            var db = redis.GetDatabase();
            Add(table, "Redis: EXISTS (a round trip, as a deny-list check out of sync pays)",
                await TimeAsync(n, () => db.KeyExistsAsync($"aiplatform-bench:probe:{Guid.NewGuid():N}")));
        }

        var resolver = api.Services.GetRequiredService<IChatModelResolver>();
        Add(table, "Semantic Kernel: new Kernel + resolve the model's connector (per turn)", await TimeAsync(n, () =>
        {
            _ = new Kernel();
            _ = resolver.Resolve(FirstTokenBenchmark.Model);
            return Task.CompletedTask;
        }));

        return $"Unit costs, ms (the API's PostgreSQL connections use {(tls ? "TLS" : "no TLS")})\n" + table;

        async Task Execute(NpgsqlConnection connection, string sql)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        static void Add(TextTable table, string name, LatencyStats stats) => table.Row(name, stats.P50, stats.P90, stats.P99, stats.Mean);
    }

    private static bool IsTls(NpgsqlConnection connection)
    {
        // Npgsql reports it through the server's view of the session.
        using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        return command.ExecuteScalar() is true;
    }

    private static async Task<LatencyStats> TimeAsync(int count, Func<Task> action)
    {
        for (var i = 0; i < 20; i++)
        {
            await action();
        }

        var times = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await action();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return new LatencyStats(times);
    }

    private static async Task<List<TracedTurn>> TracedAsync(
        int streams, int requests, Func<int, bool, CancellationToken, Task<TurnSample>> send, CancellationToken cancellationToken)
    {
        var (turns, _) = await ClosedLoop.RunAsync(streams, requests, async (stream, _, ct) =>
        {
            using var turn = Source.StartActivity("bench.turn", ActivityKind.Client)
                ?? throw new InvalidOperationException("The benchmark's activity source has no listener.");
            return new TracedTurn(turn.TraceId, await send(stream, true, ct));
        }, cancellationToken);
        return turns.Where(t => t.Sample.Ok).ToList();
    }

    private string Report(int streams, List<DirectTimeline> direct, List<ApiTimeline> viaApi)
    {
        var text = new StringBuilder();
        text.AppendLine($"Where the time goes at {streams} stream(s): traced pass, {direct.Count} direct and {viaApi.Count} API turns " +
            "(tracing adds its own cost; read the shares, not the totals)");
        var phases = new TextTable("phase (ms)", "direct p50", "direct mean", "API p50", "API mean", "API p90", "API p99");
        void Phase(string name, Func<DirectTimeline, double>? directPhase, Func<ApiTimeline, double> apiPhase)
        {
            var d = new LatencyStats(directPhase is null ? [] : direct.Select(directPhase).Where(v => !double.IsNaN(v)));
            var a = new LatencyStats(viaApi.Select(apiPhase).Where(v => !double.IsNaN(v)));
            phases.Row(name, d.P50, d.Mean, a.P50, a.Mean, a.P90, a.P99);
        }

        Phase("1  client sends -> server (API or fake) starts the request", t => t.ToServer, t => t.ToServer);
        Phase("2a API: request start -> Redis answers (only while the deny-list mirror is out of sync)", null, t => t.ToRedisDone);
        Phase("     of which the Redis command", null, t => t.Redis);
        Phase("2b API: -> first DB command starts (JWT, routing, body, validation)", null, t => t.ToFirstDb);
        Phase("3  API: first -> last DB command before the model call", null, t => t.DbPhase);
        Phase("     of which inside the DB commands (sum)", null, t => t.DbInside);
        Phase("4a API: -> user message's COMMIT done", null, t => t.ToCommitDone);
        Phase("     of which the COMMIT (WAL flush)", null, t => t.Commit);
        Phase("4b API: -> model request sent (SSE starts, SK, HttpClient pipeline)", null, t => t.ToModelRequest);
        Phase("5  model request sent -> fake starts it", null, t => t.ToFake);
        Phase("6  fake starts -> its first chunk's headers are back", t => t.Fake, t => t.Fake);
        Phase("7  headers back -> client reads the first token", t => t.ToToken, t => t.ToToken);
        phases.Rule();
        Phase("first-token latency (1 to 7)", t => t.Total, t => t.Total);
        Phase("API before the model call (2a to 5)", null, t => t.BeforeModel);
        text.Append(phases);

        var perTurn = viaApi.Count == 0 ? 0 : viaApi.Average(t => t.DbBefore.Count);
        text.AppendLine();
        var redisPerTurn = viaApi.Count == 0 ? 0 : viaApi.Average(t => t.RedisCount);
        text.AppendLine($"Round trips before the model call, per turn: {perTurn:0.0} DB commands + {viaApi.Average(t => t.CommitCount):0.0} COMMIT " +
            $"+ {redisPerTurn:0.0} Redis (BEGIN rides on the next command)");
        var statements = new TextTable("statement (first DB commands of a turn, in order)", "per turn", "p50", "mean", "p99");
        foreach (var group in viaApi.SelectMany(t => t.DbBefore.Select((span, i) => (Key: $"{i + 1,2}. {Shape(span.Statement)}", span)))
                     .GroupBy(x => x.Key).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var stats = new LatencyStats(group.Select(x => x.span.Duration.TotalMilliseconds));
            statements.Row(group.Key, (group.Count() / (double)viaApi.Count).ToString("0.00", CultureInfo.InvariantCulture),
                stats.P50, stats.Mean, stats.P99);
        }

        text.Append(statements);
        var after = viaApi.Count == 0 ? 0 : viaApi.Average(t => t.DbAfter.Count);
        var afterMs = new LatencyStats(viaApi.Select(t => t.DbAfter.Sum(s => s.Duration.TotalMilliseconds)));
        text.AppendLine($"after the first token (storing the reply; not on the first-token path): {after:0.0} DB commands per turn, " +
            $"{afterMs.Mean:0.00} ms inside them (mean)");
        return text.ToString();
    }

    /// <summary>A statement's shape: whitespace collapsed, parameters and literals as they are, cut to a readable length.</summary>
    private static string Shape(string? sql)
    {
        if (string.IsNullOrEmpty(sql))
        {
            return "(no text)";
        }

        var line = Whitespace().Replace(sql, " ").Trim();
        return line.Length <= 90 ? line : line[..90] + "...";
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private sealed record TracedTurn(ActivityTraceId TraceId, TurnSample Sample);

    private sealed record Span(string Source, ActivityTraceId TraceId, ActivitySpanId SpanId, ActivitySpanId ParentSpanId, DateTime Start, TimeSpan Duration, string? Statement)
    {
        public DateTime End => Start + Duration;

        public static Span Of(Activity activity) => new(activity.Source.Name, activity.TraceId, activity.SpanId, activity.ParentSpanId,
            activity.StartTimeUtc, activity.Duration, activity.GetTagItem("db.query.text") as string);
    }

    /// <summary>Times every EF transaction's COMMIT as a span of the request it belongs to (only while a traced pass runs).</summary>
    private sealed class CommitTimer : DbTransactionInterceptor
    {
        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Record(eventData);
            return Task.CompletedTask;
        }

        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Record(eventData);

        private static void Record(TransactionEndEventData eventData)
        {
            if (_tracing && Activity.Current is { } current)
            {
                Spans.Enqueue(new Span("Commit", current.TraceId, default, default, eventData.StartTime.UtcDateTime, eventData.Duration, "COMMIT"));
            }
        }
    }

    private static double Ms(DateTime from, DateTime to) => (to - from).TotalMilliseconds;

    /// <summary>client -> fake.</summary>
    private sealed record DirectTimeline(double ToServer, double Fake, double ToToken, double Total)
    {
        public static DirectTimeline? Of(TracedTurn turn, Dictionary<ActivityTraceId, List<Span>> traces)
        {
            if (!traces.TryGetValue(turn.TraceId, out var spans))
            {
                return null;
            }

            var call = spans.FirstOrDefault(s => s.Source == "System.Net.Http");
            var fakeIn = spans.FirstOrDefault(s => s.Source == "Microsoft.AspNetCore");
            if (call is null || fakeIn is null)
            {
                return null;
            }

            var (sent, first) = (turn.Sample.SentUtc, turn.Sample.FirstTokenUtc);
            return new DirectTimeline(Ms(sent, fakeIn.Start), Ms(fakeIn.Start, call.End), Ms(call.End, first), Ms(sent, first));
        }
    }

    /// <summary>client -> API (auth, tenant check, DB, commit) -> fake -> API -> client.</summary>
    private sealed record ApiTimeline(
        double ToServer, double ToRedisDone, double Redis, double ToFirstDb, double DbPhase, double DbInside, double ToCommitDone, double Commit,
        double ToModelRequest, double ToFake, double Fake, double ToToken, double Total, double BeforeModel,
        List<Span> DbBefore, List<Span> DbAfter, int RedisCount, int CommitCount)
    {
        public static ApiTimeline? Of(TracedTurn turn, Dictionary<ActivityTraceId, List<Span>> traces)
        {
            if (!traces.TryGetValue(turn.TraceId, out var spans))
            {
                return null;
            }

            var calls = spans.Where(s => s.Source == "System.Net.Http").ToList();
            var servers = spans.Where(s => s.Source == "Microsoft.AspNetCore").ToList();
            if (calls.Count < 2 || servers.Count < 2)
            {
                return null;
            }

            var (apiIn, fakeIn, modelCall) = (servers[0], servers[1], calls[1]);
            var db = spans.Where(s => s.Source == "Npgsql").ToList();
            var before = db.Where(s => s.Start < modelCall.Start).ToList();
            var after = db.Where(s => s.Start >= modelCall.Start).ToList();
            var redis = spans.Where(s => s.Source == "Redis" && s.Start < modelCall.Start).ToList();
            var commits = spans.Where(s => s.Source == "Commit" && s.Start < modelCall.Start).ToList();
            var (sent, first) = (turn.Sample.SentUtc, turn.Sample.FirstTokenUtc);

            var redisDone = redis.Count > 0 ? redis[0].End : apiIn.Start;
            var firstDb = before.Count > 0 ? before[0].Start : modelCall.Start;
            var lastDb = before.Count > 0 ? before.Max(s => s.End) : modelCall.Start;
            var commitDone = commits.Count > 0 ? commits[^1].End : lastDb;
            return new ApiTimeline(
                ToServer: Ms(sent, apiIn.Start),
                ToRedisDone: redis.Count > 0 ? Ms(apiIn.Start, redisDone) : double.NaN,
                Redis: redis.Count > 0 ? redis[0].Duration.TotalMilliseconds : double.NaN,
                ToFirstDb: Ms(redisDone, firstDb),
                DbPhase: Ms(firstDb, lastDb),
                DbInside: before.Sum(s => s.Duration.TotalMilliseconds),
                ToCommitDone: commits.Count > 0 ? Ms(lastDb, commitDone) : double.NaN,
                Commit: commits.Count > 0 ? commits[^1].Duration.TotalMilliseconds : double.NaN,
                ToModelRequest: Ms(commitDone, modelCall.Start),
                ToFake: Ms(modelCall.Start, fakeIn.Start),
                Fake: Ms(fakeIn.Start, modelCall.End),
                ToToken: Ms(modelCall.End, first),
                Total: Ms(sent, first),
                BeforeModel: Ms(apiIn.Start, fakeIn.Start),
                DbBefore: before,
                DbAfter: after,
                RedisCount: redis.Count,
                CommitCount: commits.Count);
        }
    }
}
