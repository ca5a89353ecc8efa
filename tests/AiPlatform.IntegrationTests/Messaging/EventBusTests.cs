using System.Diagnostics;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Messaging.RabbitMq;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace AiPlatform.IntegrationTests.Messaging;

[Collection(MessagingCollection.Name)]
public sealed class EventBusTests(MessagingDatabase database) : IClassFixture<MessagingDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);
    private static readonly ActivitySource TestSource = new("AiPlatform.IntegrationTests.Messaging");

    private readonly HandlerProbe _probe = new();
    private TestBroker _broker = null!;
    private IHost _host = null!;

    private IEventBus Bus => _host.Services.GetRequiredService<IEventBus>();

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.CreateAsync("bus");
        _host = await EventBusHost.StartAsync(database, _broker, _probe);
    }

    public async Task DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task A_published_event_is_handled_once_in_the_publishers_trace_as_the_tenant_it_names()
    {
        using var listener = ListenTo(TestSource.Name);
        var probeEvent = new ProbeEvent(TenantId: Guid.NewGuid());
        ActivityContext request;
        using (var activity = TestSource.StartActivity("request"))
        {
            request = activity!.Context;
            await Bus.PublishAsync(probeEvent);
        }

        await Eventually.TrueAsync(() => _probe.RunsOf(probeEvent.Id) == 1, Patience, "the handler to run");
        var run = Assert.Single(_probe.Runs);
        Assert.NotNull(run.Activity);
        Assert.Equal(request.TraceId, run.Activity.Value.TraceId);
        Assert.NotEqual(default, run.ParentSpanId);
        Assert.Equal(probeEvent.TenantId.ToString(), run.SessionTenant);

        await using var db = database.CreateContext();
        var recorded = await db.InboxMessages.SingleAsync(m => m.MessageId == probeEvent.Id);
        Assert.Equal($"{_broker.Topology.Queue}:{nameof(ProbeHandler)}", recorded.Consumer);
        Assert.Equal(ProbeEvent.Type, recorded.EventType);
        await AssertSettledAsync();
    }

    [Fact]
    public async Task A_redelivered_message_is_acknowledged_without_running_the_handler_again()
    {
        var duplicated = new ProbeEvent(Guid.NewGuid());
        var after = new ProbeEvent(Guid.NewGuid());

        await Bus.PublishAsync(duplicated);
        await Bus.PublishAsync(duplicated);
        await Bus.PublishAsync(after);

        // One message at a time, in order: once the last has run, both copies have been through.
        await Eventually.TrueAsync(() => _probe.RunsOf(after.Id) == 1, Patience, "the message after the duplicate");
        Assert.Equal(1, _probe.RunsOf(duplicated.Id));
        await using var db = database.CreateContext();
        Assert.Equal(1, await db.InboxMessages.CountAsync(m => m.MessageId == duplicated.Id));
        await AssertSettledAsync();
    }

    [Fact]
    public async Task A_message_whose_handler_keeps_failing_is_dead_lettered_after_its_attempts()
    {
        var doomed = new ProbeEvent(Guid.NewGuid(), Fail: true);

        await Bus.PublishAsync(doomed);

        await Eventually.TrueAsync(async () => await _broker.CountAsync(_broker.Topology.DeadLetterQueue) == 1, Patience, "the dead letter");
        Assert.Equal(3, _probe.RunsOf(doomed.Id));
        await Task.Delay(TimeSpan.FromSeconds(1)); // Longer than several retry delays: nothing is still going round.
        Assert.Equal(3, _probe.RunsOf(doomed.Id));
        await AssertSettledAsync();

        var deadLetter = await _broker.GetAsync(_broker.Topology.DeadLetterQueue);
        Assert.NotNull(deadLetter);
        Assert.Equal(doomed.Id.ToString(), deadLetter.BasicProperties.MessageId);
        Assert.Equal(ProbeEvent.Type, deadLetter.BasicProperties.Type);
        Assert.Equal(2, MessageHeaders.GetRetryCount(deadLetter.BasicProperties.Headers));
        await using var db = database.CreateContext();
        Assert.False(await db.InboxMessages.AnyAsync(m => m.MessageId == doomed.Id)); // Each failure rolled back.
    }

    [Fact]
    public async Task A_message_the_process_died_on_as_often_as_allowed_is_given_up_unhandled_and_dead_lettered()
    {
        // As processes that died while handling them leave them: one message as often as allowed (3), one once less.
        var doomed = new ProbeEvent(Guid.NewGuid());
        var spared = new ProbeEvent(Guid.NewGuid());
        await using (var db = database.CreateContext())
        {
            db.AddRange(
                new UnfinishedDelivery { MessageId = doomed.Id, Queue = _broker.Topology.Queue, Count = 3 },
                new UnfinishedDelivery { MessageId = spared.Id, Queue = _broker.Topology.Queue, Count = 2 });
            await db.SaveChangesAsync();
        }

        await Bus.PublishAsync(doomed);
        await Bus.PublishAsync(spared);

        await Eventually.TrueAsync(async () => await _broker.CountAsync(_broker.Topology.DeadLetterQueue) == 1, Patience, "the dead letter");
        await Eventually.TrueAsync(() => _probe.RunsOf(spared.Id) == 1, Patience, "the other message to be handled");
        Assert.Equal(0, _probe.RunsOf(doomed.Id));
        Assert.Equal([(doomed.Id, 3)], _probe.GivenUp);
        var deadLetter = await _broker.GetAsync(_broker.Topology.DeadLetterQueue);
        Assert.Equal(doomed.Id.ToString(), deadLetter?.BasicProperties.MessageId);
        await AssertSettledAsync();
        await Eventually.TrueAsync(async () =>
        {
            await using var db = database.CreateContext();
            return !await db.Set<UnfinishedDelivery>().AnyAsync(d => d.MessageId == doomed.Id || d.MessageId == spared.Id);
        }, Patience, "both counts to be cleared once the messages are settled");
    }

    [Fact]
    public async Task Messages_nobody_can_read_go_straight_to_the_dead_letter_queue()
    {
        // Right type, broken body; and a type this service never subscribed to.
        await _broker.PublishAsync(_broker.Topology.Exchange, ProbeEvent.Type, Message(ProbeEvent.Type), "{not json"u8.ToArray());
        await _broker.PublishAsync("", _broker.Topology.Queue, Message("nobody.listens"), "{}"u8.ToArray());

        await Eventually.TrueAsync(async () => await _broker.CountAsync(_broker.Topology.DeadLetterQueue) == 2, Patience, "both dead letters");
        Assert.Empty(_probe.Runs);
        await AssertSettledAsync();
    }

    [Fact]
    public async Task Consuming_starts_again_when_the_broker_cancels_the_consumer()
    {
        await _broker.DeleteQueueAsync(_broker.Topology.Queue);

        await _broker.WaitForConsumerAsync();
        var afterwards = new ProbeEvent(Guid.NewGuid());
        await Bus.PublishAsync(afterwards);
        await Eventually.TrueAsync(() => _probe.RunsOf(afterwards.Id) == 1, Patience, "the handler to run on the new consumer");
    }

    private static BasicProperties Message(string type) =>
        new() { MessageId = Guid.NewGuid().ToString(), Type = type, ContentType = "application/json", Persistent = true };

    private async Task AssertSettledAsync()
    {
        Assert.Equal(0u, await _broker.CountAsync(_broker.Topology.Queue));
        Assert.Equal(0u, await _broker.CountAsync(_broker.Topology.RetryQueue));
    }

    private static ActivityListener ListenTo(string sourceName)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == sourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
