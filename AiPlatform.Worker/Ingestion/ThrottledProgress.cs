using System.Diagnostics;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Counts embedded chunks from concurrent batches and writes the count at most once per interval, one write at a time
/// (the writer's DbContext is not thread-safe); a batch that finds a write under way doesn't wait for it.
/// </summary>
internal sealed class ThrottledProgress(DocumentStatusWriter writer, int total, TimeSpan interval)
{
    private readonly SemaphoreSlim _writing = new(1, 1);
    private int _done;
    private long _lastWrite;

    public Task AddAsync(int count, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _done, count);
        return ReportAsync(force: false, cancellationToken);
    }

    public async Task ReportAsync(bool force, CancellationToken cancellationToken)
    {
        if (!force && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastWrite)) < interval || !await _writing.WaitAsync(0, cancellationToken))
        {
            return;
        }

        try
        {
            Interlocked.Exchange(ref _lastWrite, Stopwatch.GetTimestamp());
            await writer.ReportProgressAsync(Volatile.Read(ref _done), total, cancellationToken);
        }
        finally
        {
            _writing.Release();
        }
    }
}
