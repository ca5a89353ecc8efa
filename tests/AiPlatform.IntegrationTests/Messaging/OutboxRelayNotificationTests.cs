extern alias worker;

using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using TenantCreatedHandler = worker::AiPlatform.Worker.Tenancy.TenantCreatedHandler;

namespace AiPlatform.IntegrationTests.Messaging;

/// <summary>The relay publishes staged events as soon as they commit, not at its next poll.</summary>
[Collection(MessagingCollection.Name)]
public sealed class OutboxRelayNotificationTests(MessagingDatabase database) : IClassFixture<MessagingDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMinutes(10);
    private RunningWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await RunningWorker.StartAsync(database.ConnectionString,
        new Dictionary<string, string?> { ["OutboxRelay:PollInterval"] = PollInterval.ToString() });

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task Events_are_published_when_they_commit_while_the_relay_sleeps_between_polls()
    {
        // One after the other: the relay's first pass at start-up could pick up one event without a notification,
        // never all of them.
        for (var round = 0; round < 3; round++)
        {
            var ids = await database.StageTenantsCreatedAsync(1);
            await Eventually.TrueAsync(() => database.AllDeliveredAsync(ids, _worker.Consumer<TenantCreatedHandler>()), TimeSpan.FromSeconds(10),
                $"event {round + 1} to be sent and handled well before the next poll ({PollInterval.TotalMinutes} min)");
        }
    }
}
