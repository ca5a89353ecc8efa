using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AiPlatform.Worker.Outbox;

/// <summary>
/// Publishes the events staged in the outbox, oldest first, and marks each one sent once the broker has confirmed
/// it. When publishing fails (broker down, say) the event stays unsent with its attempt and error recorded, and the
/// relay backs off and tries again; the connection's own recovery brings the broker back.
/// </summary>
internal sealed class OutboxRelay(
    IServiceScopeFactory scopeFactory,
    IEventBus eventBus,
    IOptions<OutboxRelayOptions> options,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    private enum PassResult
    {
        Drained,
        MoreWaiting,
        Failed,
    }

    private readonly OutboxRelayOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var consecutiveFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            PassResult result;
            try
            {
                result = await RelayBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Outbox relay pass failed");
                result = PassResult.Failed;
            }

            consecutiveFailures = result == PassResult.Failed ? consecutiveFailures + 1 : 0;
            var delay = result switch
            {
                PassResult.MoreWaiting => TimeSpan.Zero,
                PassResult.Drained => _options.PollInterval,
                _ => _options.BackoffAfter(consecutiveFailures),
            };
            await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<PassResult> RelayBatchAsync(CancellationToken stoppingToken)
    {
        await using var scope = scopeFactory.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var batchSize = _options.BatchSize;

        return await db.InTransactionAsync(async ct =>
        {
            // The row locks last until commit; SKIP LOCKED lets other Worker replicas take the next batch instead of
            // waiting for this one or sending it again.
            var batch = await db.OutboxMessages
                .FromSql($"SELECT * FROM outbox_messages WHERE sent_at IS NULL ORDER BY occurred_at LIMIT {batchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(ct);

            var result = batch.Count == batchSize ? PassResult.MoreWaiting : PassResult.Drained;
            foreach (var message in batch)
            {
                try
                {
                    await eventBus.PublishAsync(message, ct);
                    message.SentAt = DateTime.UtcNow;
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    // The broker is the likely cause, and the rest of the batch would fail the same way.
                    message.Attempts++;
                    message.LastError = ex.Message;
                    logger.LogWarning(ex, "Could not publish {EventType} {MessageId} (attempt {Attempts}); backing off",
                        message.EventType, message.Id, message.Attempts);
                    result = PassResult.Failed;
                    break;
                }
            }

            await db.SaveChangesAsync(ct);
            return result;
        }, stoppingToken);
    }
}
