extern alias worker;

using System.Net;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;
using TenantCreatedHandler = worker::AiPlatform.Worker.Tenancy.TenantCreatedHandler;

namespace AiPlatform.IntegrationTests.Messaging;

/// <summary>The Worker end to end: events staged by a change reach the broker through the relay and come back to its handler.</summary>
[Collection(MessagingCollection.Name)]
public sealed class OutboxRelayTests(MessagingDatabase database) : IClassFixture<MessagingDatabase>, IAsyncLifetime
{
    private RunningWorker _worker = null!;

    public async Task InitializeAsync() => _worker = await RunningWorker.StartAsync(database.ConnectionString);

    public async Task DisposeAsync() => await _worker.DisposeAsync();

    [Fact]
    public async Task Events_saved_with_a_change_are_published_marked_sent_and_handled_by_the_worker()
    {
        var ids = await database.StageTenantsCreatedAsync(25);

        await Eventually.TrueAsync(() => AllDeliveredAsync(ids), TimeSpan.FromSeconds(30), "every event to be sent and handled");
        await using var db = database.CreateContext();
        Assert.All(await db.OutboxMessages.Where(m => ids.Contains(m.Id)).ToListAsync(), m => Assert.Equal(0, m.Attempts));

        var health = await _worker.Host.CreateClient().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Events_staged_while_the_broker_is_down_all_arrive_once_it_is_back()
    {
        IReadOnlyCollection<Guid> ids;
        try
        {
            await TestBroker.StopBrokerAsync();
            ids = await database.StageTenantsCreatedAsync(10);

            await Eventually.TrueAsync(async () =>
            {
                await using var db = database.CreateContext();
                return await db.OutboxMessages.AnyAsync(m => ids.Contains(m.Id) && m.Attempts > 0 && m.LastError != null);
            }, TimeSpan.FromSeconds(30), "the relay to record a failed attempt");
        }
        finally
        {
            await TestBroker.StartBrokerAsync();
        }

        await Eventually.TrueAsync(() => AllDeliveredAsync(ids), TimeSpan.FromSeconds(60), "every event to be sent and handled after the outage");
    }

    private Task<bool> AllDeliveredAsync(IReadOnlyCollection<Guid> ids) => database.AllDeliveredAsync(ids, _worker.Consumer<TenantCreatedHandler>());
}
