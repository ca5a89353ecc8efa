namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// Writes a document's progress while it is embedded: the embedding loop only counts the vectors that have arrived, and one loop
/// writes the count whenever it has changed, at most once per interval, so the DbContext is never used concurrently and
/// the last count before a stall still reaches the database. Disposing stops the loop before the caller uses the
/// DbContext again; it lets a write in progress finish rather than cancel it, because a cancelled command's cancel
/// request can reach PostgreSQL late and cancel the next statement on the connection instead.
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private int _done;

    public ProgressReporter(DocumentStatusWriter writer, int total, TimeSpan interval, CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _loop = WriteWhileChangingAsync(writer, total, interval, cancellationToken);
    }

    public void Add(int count) => Interlocked.Add(ref _done, count);

    /// <param name="cancellationToken">The job's: only it cancels a write.</param>
    private async Task WriteWhileChangingAsync(DocumentStatusWriter writer, int total, TimeSpan interval, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(interval);
        var written = -1;
        do
        {
            var done = Volatile.Read(ref _done);
            if (done != written)
            {
                await writer.ReportProgressAsync(done, total, cancellationToken);
                written = done;
            }
        }
        while (await timer.WaitForNextTickAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
