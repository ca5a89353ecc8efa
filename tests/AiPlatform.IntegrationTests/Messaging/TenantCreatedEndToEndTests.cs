extern alias worker;

using AiPlatform.Core.Tenancy;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TenantCreatedHandler = worker::AiPlatform.Worker.Tenancy.TenantCreatedHandler;

namespace AiPlatform.IntegrationTests.Messaging;

/// <summary>
/// The foundation's event path end to end: the API registers tenants (tenant row and outbox row in one commit),
/// the Worker relays them through RabbitMQ and consumes them, even when the broker was down at the time.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class TenantCreatedEndToEndTests : IAsyncLifetime
{
    private readonly ApiFactory _api = new();
    private TestBroker _broker = null!;
    private WorkerFactory _worker = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_api).InitializeAsync();
        _broker = await TestBroker.CreateAsync("e2e");
        _worker = new WorkerFactory(_api.Database.ConnectionString, _broker);
        _ = _worker.Server;
        await _broker.WaitForConsumerAsync();
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _broker.DisposeAsync();
        await ((IAsyncLifetime)_api).DisposeAsync();
    }

    [Fact]
    public async Task Tenants_registered_while_the_broker_is_down_are_all_consumed_once_it_is_back()
    {
        var before = await _api.CreateTenantAsync();
        await WaitUntilConsumedAsync([before.TenantId]);

        var duringOutage = new List<Guid>();
        try
        {
            await TestBroker.StopBrokerAsync();
            for (var i = 0; i < 5; i++)
            {
                duringOutage.Add((await _api.CreateTenantAsync()).TenantId);
            }
        }
        finally
        {
            await TestBroker.StartBrokerAsync();
        }

        await WaitUntilConsumedAsync(duringOutage);
    }

    private Task WaitUntilConsumedAsync(IReadOnlyCollection<Guid> tenantIds) => Eventually.TrueAsync(async () =>
    {
        await using var scope = _api.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AiPlatform.Core.Data.AppDbContext>();
        using var system = db.Tenant.BeginSystemScope();
        var eventIds = await db.OutboxMessages.Where(m => m.EventType == TenantCreatedIntegrationEvent.Type)
            .Select(m => new { m.Id, m.Payload }).ToListAsync();
        var ours = eventIds.Where(e => tenantIds.Any(t => e.Payload.Contains(t.ToString()))).Select(e => e.Id).ToList();
        var consumer = $"{_broker.Topology.Queue}:{nameof(TenantCreatedHandler)}";
        var consumed = await db.InboxMessages.CountAsync(m => ours.Contains(m.MessageId) && m.Consumer == consumer);
        return ours.Count == tenantIds.Count && consumed == tenantIds.Count;
    }, TimeSpan.FromSeconds(60), "every tenant.created event to reach the worker");
}
