namespace AiPlatform.Core.Messaging.RabbitMq;

/// <summary>
/// The consumer's <see cref="EventBusOptions.ConsumerConcurrency"/> places for running handlers. A delivery takes one,
/// or every one to run alone; deliveries get theirs in turn, so one waiting to run alone is not overtaken by later ones
/// taking the places it waits for.
/// </summary>
internal sealed class HandlerSlots(int count)
{
    private readonly SemaphoreSlim _free = new(count, count);

    // Held by the delivery whose turn it is until it has all the places it needs.
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<Lease> EnterAsync(bool alone, CancellationToken cancellationToken)
    {
        var taken = 0;
        await _turn.WaitAsync(cancellationToken);
        try
        {
            for (; taken < (alone ? count : 1); taken++)
            {
                await _free.WaitAsync(cancellationToken);
            }
        }
        catch when (taken > 0)
        {
            _free.Release(taken);
            throw;
        }
        finally
        {
            _turn.Release();
        }
        return new Lease(_free, taken);
    }

    /// <summary>Waits until no handler is running, and lets none start after.</summary>
    public Task CloseAsync() => EnterAsync(alone: true, CancellationToken.None);

    public readonly struct Lease(SemaphoreSlim free, int taken) : IDisposable
    {
        public void Dispose() => free.Release(taken);
    }
}
