extern alias worker;

using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using EmbeddingBatcher = worker::AiPlatform.Worker.Ingestion.EmbeddingBatcher;
using IngestionOptions = worker::AiPlatform.Worker.Ingestion.IngestionOptions;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>The Worker's shared embedding calls: batches across documents, the cap on calls in flight, failures and cancellation kept to their own document.</summary>
public sealed class EmbeddingBatcherTests
{
    [Fact]
    public async Task Texts_queued_while_the_slots_are_busy_share_full_calls_and_each_gets_its_own_vector()
    {
        var (generator, batcher, first) = await OneSlotBusyAsync(texts: 100);

        var second = batcher.Enqueue(generator, Texts(100, 100), CancellationToken.None);
        var third = batcher.Enqueue(generator, Texts(200, 100), CancellationToken.None);
        generator.Release();
        var vectors = await Task.WhenAll(first.Concat(second).Concat(third));

        Assert.Equal([100, 128, 72], generator.Calls.Select(call => call.Length));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => (float)i), vectors.Select(vector => vector.Vector.Span[0]));
    }

    [Fact]
    public async Task No_more_calls_than_the_concurrency_are_in_flight()
    {
        var generator = new RecordingGenerator { Delay = TimeSpan.FromMilliseconds(20) };
        generator.Release();
        var batcher = Batcher(batchSize: 10, concurrency: 3);

        await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(i => batcher.Enqueue(generator, Texts(i * 25, 25), CancellationToken.None)));

        Assert.Equal(3, generator.MostInFlight);
        Assert.Equal(250, generator.Calls.Sum(call => call.Length));
        Assert.All(generator.Calls, call => Assert.InRange(call.Length, 1, 10));
    }

    [Fact]
    public async Task A_text_the_model_refuses_fails_only_its_own_request()
    {
        var (generator, batcher, busy) = await OneSlotBusyAsync(texts: 1);

        var good = batcher.Enqueue(generator, Texts(1, 5), CancellationToken.None);
        var poisoned = batcher.Enqueue(generator, [.. Texts(6, 4), RecordingGenerator.Refused], CancellationToken.None);
        generator.Release();

        await Task.WhenAll(busy.Concat(good));
        foreach (var task in poisoned)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => task);
        }
        Assert.Equal([1, 10, 5, 5], generator.Calls.Select(call => call.Length));
    }

    [Fact]
    public async Task Cancelled_texts_are_never_sent()
    {
        var (generator, batcher, busy) = await OneSlotBusyAsync(texts: 1);
        using var cancellation = new CancellationTokenSource();
        var cancelled = batcher.Enqueue(generator, Texts(1, 5), cancellation.Token);
        var kept = batcher.Enqueue(generator, Texts(6, 5), CancellationToken.None);
        await cancellation.CancelAsync();
        generator.Release();

        await Task.WhenAll(busy.Concat(kept));
        await Assert.ThrowsAsync<TaskCanceledException>(() => Task.WhenAll(cancelled));
        Assert.Equal([1, 5], generator.Calls.Select(call => call.Length));
        Assert.DoesNotContain("1", generator.Calls.SelectMany(call => call));
    }

    /// <summary>A batcher with one slot of 128, busy with a held call of the first <paramref name="texts"/> texts.</summary>
    private static async Task<(RecordingGenerator Generator, EmbeddingBatcher Batcher, Task<Embedding<float>>[] Busy)> OneSlotBusyAsync(int texts)
    {
        var generator = new RecordingGenerator();
        var batcher = Batcher(batchSize: 128, concurrency: 1);
        var busy = batcher.Enqueue(generator, Texts(0, texts), CancellationToken.None);
        await generator.CallsStartedAsync(1);
        return (generator, batcher, busy);
    }

    private static EmbeddingBatcher Batcher(int batchSize, int concurrency) =>
        new(Options.Create(new IngestionOptions { EmbeddingBatchSize = batchSize, EmbeddingConcurrency = concurrency }), new RunningHost());

    private static string[] Texts(int first, int count) => Enumerable.Range(first, count).Select(i => i.ToString()).ToArray();

    /// <summary>Embeds each text as the one number it is, after the test releases it; records the calls.</summary>
    private sealed class RecordingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public const string Refused = "refused";
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight;
        private int _mostInFlight;

        public ConcurrentQueue<string[]> Calls { get; } = new();
        public TimeSpan Delay { get; init; }
        public int MostInFlight => _mostInFlight;

        public void Release() => _released.TrySetResult();

        public async Task CallsStartedAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Calls.Count < count)
            {
                await Task.Delay(5, timeout.Token);
            }
        }

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            Calls.Enqueue(texts);
            var inFlight = Interlocked.Increment(ref _inFlight);
            InterlockedMax(ref _mostInFlight, inFlight);
            try
            {
                await _released.Task.WaitAsync(cancellationToken);
                await Task.Delay(Delay, cancellationToken);
                return texts.Contains(Refused)
                    ? throw new InvalidOperationException("The model refused an input.")
                    : new GeneratedEmbeddings<Embedding<float>>(texts.Select(text => new Embedding<float>(new[] { float.Parse(text) })));
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static void InterlockedMax(ref int target, int value)
        {
            for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
            {
                if (Interlocked.CompareExchange(ref target, value, current) == current)
                {
                    return;
                }
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class RunningHost : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
