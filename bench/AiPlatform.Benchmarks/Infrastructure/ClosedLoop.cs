using System.Diagnostics;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>
/// A closed-loop load: <c>streams</c> workers, each sending its next request as soon as the previous one is done,
/// until <c>total</c> requests have been sent between them. Returns every request's result, in start order, and the
/// wall-clock time from the first start to the last end. With a <c>stagger</c>, worker i starts i/streams of it late:
/// requests that all take about that long then stay spread out, as independent users' do, instead of arriving in
/// bursts of <c>streams</c> at once.
/// </summary>
public static class ClosedLoop
{
    public static async Task<(T[] Results, TimeSpan Elapsed)> RunAsync<T>(
        int streams, int total, Func<int, int, CancellationToken, Task<T>> send, CancellationToken cancellationToken, TimeSpan stagger = default)
    {
        var results = new T[total];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, streams).Select(stream => Task.Run(async () =>
        {
            await Task.Delay(stagger * stream / streams, cancellationToken);
            int index;
            while ((index = Interlocked.Increment(ref next)) < total)
            {
                cancellationToken.ThrowIfCancellationRequested();
                results[index] = await send(stream, index, cancellationToken);
            }
        }, cancellationToken)).ToArray();
        await Task.WhenAll(workers);
        return (results, Stopwatch.GetElapsedTime(started));
    }
}
