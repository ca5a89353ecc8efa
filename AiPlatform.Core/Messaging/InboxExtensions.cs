using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Messaging;

internal static class InboxExtensions
{
    /// <summary>
    /// Runs <paramref name="handle"/> and records <paramref name="integrationEvent"/> as handled by
    /// <paramref name="consumer"/> in one transaction, unless it is recorded already. Returns false when skipped.
    /// </summary>
    public static Task<bool> HandleOnceAsync(
        this AppDbContext db,
        IntegrationEvent integrationEvent,
        string consumer,
        Func<CancellationToken, Task> handle,
        CancellationToken cancellationToken) =>
        db.InTransactionAsync(async ct =>
        {
            // Claiming the row first makes a concurrent duplicate (a redelivery while this one is still running)
            // wait on it and then insert nothing, rather than run the handler a second time.
            var claimed = await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO inbox_messages (message_id, consumer, event_type, processed_at)
                VALUES ({integrationEvent.Id}, {consumer}, {integrationEvent.EventType}, now())
                ON CONFLICT DO NOTHING
                """, ct) == 1;
            if (!claimed)
            {
                return false;
            }

            await handle(ct);
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);

    public static Task<bool> HasHandledAsync(
        this AppDbContext db, IntegrationEvent integrationEvent, string consumer, CancellationToken cancellationToken) =>
        db.InboxMessages.AnyAsync(m => m.MessageId == integrationEvent.Id && m.Consumer == consumer, cancellationToken);
}
