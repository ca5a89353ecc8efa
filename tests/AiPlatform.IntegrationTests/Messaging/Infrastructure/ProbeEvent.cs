using System.Collections.Concurrent;
using System.Diagnostics;
using AiPlatform.Core.Data;
using AiPlatform.Core.Messaging;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>A test event; <see cref="Fail"/> makes its handler throw.</summary>
public sealed record ProbeEvent(Guid TenantId, bool Fail = false) : IntegrationEvent
{
    public const string Type = "probe.happened";

    public override string EventType => Type;
}

/// <summary>What <see cref="ProbeHandler"/> saw each time it ran.</summary>
public sealed record ProbeRun(Guid EventId, ActivityContext? Activity, ActivitySpanId ParentSpanId, string SessionTenant);

/// <summary>Shared by the test and the handler (a singleton in the host under test).</summary>
public sealed class HandlerProbe
{
    private readonly ConcurrentQueue<ProbeRun> _runs = new();
    private readonly ConcurrentQueue<(Guid EventId, int Interruptions)> _givenUp = new();

    public IReadOnlyCollection<ProbeRun> Runs => _runs;

    /// <summary>The events the handler was told were given up, with the interruptions it was told of.</summary>
    public IReadOnlyCollection<(Guid EventId, int Interruptions)> GivenUp => _givenUp;

    public int RunsOf(Guid eventId) => _runs.Count(r => r.EventId == eventId);

    public void Record(ProbeRun run) => _runs.Enqueue(run);

    public void RecordGivenUp(Guid eventId, int interruptions) => _givenUp.Enqueue((eventId, interruptions));
}

public sealed class ProbeHandler(HandlerProbe probe, AppDbContext db) : IIntegrationEventHandler<ProbeEvent>
{
    public Guid? TenantOf(ProbeEvent integrationEvent) => integrationEvent.TenantId;

    public async Task HandleAsync(ProbeEvent integrationEvent, CancellationToken cancellationToken)
    {
        // What row-level security will see on the handler's connection.
        var sessionTenant = await db.Database
            .SqlQuery<string>($"SELECT current_setting('app.tenant_id') AS \"Value\"")
            .SingleAsync(cancellationToken);
        var activity = Activity.Current;
        probe.Record(new ProbeRun(integrationEvent.Id, activity?.Context, activity?.ParentSpanId ?? default, sessionTenant));

        if (integrationEvent.Fail)
        {
            throw new InvalidOperationException("The probe was asked to fail.");
        }
    }

    public Task GiveUpAsync(ProbeEvent integrationEvent, int interruptions, CancellationToken cancellationToken)
    {
        probe.RecordGivenUp(integrationEvent.Id, interruptions);
        return Task.CompletedTask;
    }
}
