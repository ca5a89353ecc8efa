using System.Threading.Channels;
using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace AiPlatform.Worker.Outbox;

/// <summary>
/// Publishes the events staged in the outbox, oldest first, and marks each one sent once the broker has confirmed
/// it. When publishing fails (broker down, say) the event stays unsent with its attempt and error recorded, and the
/// relay backs off and tries again; the connection's own recovery brings the broker back.
/// </summary>
/// <remarks>
/// A trigger notifies <see cref="OutboxMessageConfiguration.InsertedChannel"/> when staged events commit; the relay
/// listens and wakes at once, so an event waits milliseconds, not a poll. Polling stays as the fallback for
/// notifications missed while the listening connection is down.
/// </remarks>
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

    // One pending wake-up is enough: the pass it starts reads everything staged before it.
    private readonly Channel<bool> _staged = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listening = ListenAsync(stoppingToken);
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
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Outbox relay pass failed");
                result = PassResult.Failed;
            }

            consecutiveFailures = result == PassResult.Failed ? consecutiveFailures + 1 : 0;
            switch (result)
            {
                case PassResult.Drained:
                    await WaitForStagedEventsAsync(_options.PollInterval, stoppingToken);
                    break;
                case PassResult.Failed:
                    // Backing off is for the broker's sake: new events do not cut it short.
                    await Task.Delay(_options.BackoffAfter(consecutiveFailures), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    break;
            }
        }

        await listening;
    }

    private async Task WaitForStagedEventsAsync(TimeSpan timeout, CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wait.CancelAfter(timeout);
        try
        {
            await _staged.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Keeps a connection listening for staged events, reconnecting after a failure.</summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var connectionString = ListeningConnectionString();
        var consecutiveFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, _) => _staged.Writer.TryWrite(true);
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand($"LISTEN {OutboxMessageConfiguration.InsertedChannel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Events may have been staged while nobody listened.
                _staged.Writer.TryWrite(true);
                consecutiveFailures = 0;
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                consecutiveFailures++;
                logger.LogWarning(ex, "The outbox relay is not notified of new events; it polls until it can listen again");
                await Task.Delay(_options.BackoffAfter(consecutiveFailures), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private string ListeningConnectionString()
    {
        using var scope = scopeFactory.CreateScope();
        return new NpgsqlConnectionStringBuilder(scope.ServiceProvider.GetRequiredService<AppDbContext>().Database.GetConnectionString())
        {
            // The connection only waits: it must still notice when the server has gone, and never return to a pool.
            KeepAlive = 30,
            Pooling = false,
        }.ConnectionString;
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
