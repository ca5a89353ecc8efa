using Microsoft.Extensions.Options;

namespace AiPlatform.Worker.Ingestion;

/// <summary>Caps the Worker's embedding calls in flight at <see cref="IngestionOptions.EmbeddingConcurrency"/>, whichever documents they serve.</summary>
public sealed class EmbeddingThrottle(IOptions<IngestionOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _calls = new(options.Value.EmbeddingConcurrency, options.Value.EmbeddingConcurrency);

    /// <summary>Waits for a free slot; dispose the result to free it.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _calls.WaitAsync(cancellationToken);
        return new Slot(_calls);
    }

    public void Dispose() => _calls.Dispose();

    private sealed class Slot(SemaphoreSlim calls) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                calls.Release();
            }
        }
    }
}
