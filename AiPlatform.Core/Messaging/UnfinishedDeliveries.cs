using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiPlatform.Core.Messaging;

/// <summary>
/// The <see cref="UnfinishedDelivery"/> counts of one queue's messages. Settling a message clears its count, so what
/// a delivery finds left over is how many deliveries in a row died with the process. Clearing is best effort: a count
/// left behind by a failed write only makes a later copy of a settled message look interrupted once more, and the
/// inbox keeps a handled message from being given up (<see cref="HandlerRegistration.GiveUpAsync"/>).
/// </summary>
internal sealed class UnfinishedDeliveries(IServiceScopeFactory scopes, string queue, ILogger logger)
{
    /// <summary>
    /// Whether a delivery of the message has been left unfinished, or may have been: when the database cannot say, the
    /// answer errs on the side that only costs a message waiting to run alone.
    /// </summary>
    public async Task<bool> WasInterruptedAsync(Guid messageId, CancellationToken cancellationToken)
    {
        try
        {
            return await WithContextAsync(db => db.Set<UnfinishedDelivery>()
                .AnyAsync(d => d.MessageId == messageId && d.Queue == queue && d.Count > 0, cancellationToken));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Could not read the delivery count of message {MessageId} on {Queue}; taking it as interrupted", messageId, queue);
            return true;
        }
    }

    /// <summary>
    /// Counts this delivery as started, before any handler runs (committed on its own, so it outlives a crash), and
    /// returns how many before it were left unfinished.
    /// </summary>
    public Task<int> StartAsync(Guid messageId, CancellationToken cancellationToken) =>
        WithContextAsync(async db => (await db.Database.SqlQuery<int>(
            $"""
            INSERT INTO unfinished_deliveries (message_id, queue, count) VALUES ({messageId}, {queue}, 1)
            ON CONFLICT (message_id, queue) DO UPDATE SET count = unfinished_deliveries.count + 1
            RETURNING count - 1 AS "Value"
            """).ToListAsync(cancellationToken)).Single());

    /// <summary>Takes back this delivery's start: the message is handed back unhandled by a graceful shutdown.</summary>
    public Task ReturnAsync(Guid messageId) => TryAsync(messageId, "take back the start of", db => db.Database.ExecuteSqlAsync(
        $"UPDATE unfinished_deliveries SET count = count - 1 WHERE message_id = {messageId} AND queue = {queue} AND count > 0"));

    /// <summary>Clears the count: the message is settled (acknowledged, queued for a retry or dead-lettered).</summary>
    public Task ForgetAsync(Guid messageId) => TryAsync(messageId, "clear the delivery count of", db => db.Database.ExecuteSqlAsync(
        $"DELETE FROM unfinished_deliveries WHERE message_id = {messageId} AND queue = {queue}"));

    private async Task TryAsync(Guid messageId, string what, Func<AppDbContext, Task<int>> write)
    {
        try
        {
            await WithContextAsync(write);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not {What} message {MessageId} on {Queue}", what, messageId, queue);
        }
    }

    private async Task<T> WithContextAsync<T>(Func<AppDbContext, Task<T>> work)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}
