using AiPlatform.Web.Extensions;
using AiPlatform.Web.Services;
using AiPlatform.Web.Services.Identity;
using AiPlatform.Web.Tests.Browser;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.Web.Tests.Services;

// Over a real socket and the app's whole client pipeline (discovery, resilience, bearer handler), because what matters
// here is what the API sees; the page tests fake the network.
public sealed class ConversationsClientTests : IAsyncLifetime
{
    private FakeApi _api = null!;
    private IHost _host = null!;
    private AsyncServiceScope _circuit;

    // Read from the test's own async flow, which must carry the circuit's services (as the circuit handler sets them
    // around every circuit event): a value set in InitializeAsync does not flow out of it.
    private ConversationsClient Client
    {
        get
        {
            new CircuitServicesAccessor().Services = _circuit.ServiceProvider;
            return _circuit.ServiceProvider.GetRequiredService<ConversationsClient>();
        }
    }

    public async Task InitializeAsync()
    {
        _api = await FakeApi.StartAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["services:api:http:0"] = _api.Url;
        builder.AddServiceDefaults();
        builder.Services.AddConsoleServices();
        _host = builder.Build();

        // One scope standing in for one circuit, signed in.
        _circuit = _host.Services.CreateAsyncScope();
        await _circuit.ServiceProvider.GetRequiredService<SignInService>().SignInAsync(FakeApi.Email, FakeApi.Password);
    }

    public async Task DisposeAsync()
    {
        await _circuit.DisposeAsync();
        _host.Dispose();
        await _api.DisposeAsync();
    }

    [Fact]
    public async Task Reads_a_streamed_reply_event_by_event()
    {
        var conversation = await Client.CreateAsync(Guid.NewGuid());
        _api.ReleaseReply();

        var events = await Client.StreamReplyAsync(conversation.Id, "Hi").ToListAsync();

        Assert.Equal("Hi", Assert.IsType<UserMessageStored>(events[0]).Message.Content);
        Assert.Equal(FakeApi.ReplyBeforeRelease.Concat(FakeApi.ReplyAfterRelease), events.OfType<ReplyDelta>().Select(d => d.Text));
        Assert.Equal(new ReplyUsage(12, 5, 0m), events[^2]);
        Assert.IsType<ReplyDone>(events[^1]);
    }

    [Fact]
    public async Task Cancelling_drops_the_connection_at_once_so_the_api_stores_a_partial_answer()
    {
        var conversation = await Client.CreateAsync(Guid.NewGuid());
        using var stop = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var streamEvent in Client.StreamReplyAsync(conversation.Id, "Hi", stop.Token))
            {
                if (streamEvent is ReplyDelta)
                {
                    // Between two reads: the case where the client alone decides how the connection ends.
                    stop.Cancel();
                }
            }
        });

        // Well within the 2 s a drained connection would stay open.
        await _api.ReplyAborted.WaitAsync(TimeSpan.FromSeconds(1));
        var detail = await Client.GetAsync(conversation.Id);
        Assert.Equal(MessageStatuses.Cancelled, detail.Messages.Items[^1].Status);
    }

    [Fact]
    public async Task An_answer_before_the_stream_starts_is_an_api_exception()
    {
        var refused = await Assert.ThrowsAsync<ApiException>(() => Client.StreamReplyAsync(Guid.NewGuid(), "Hi").ToListAsync().AsTask());

        Assert.Equal(404, refused.StatusCode);
        Assert.Equal("RESOURCE_NOT_FOUND", refused.Error.Code);
    }
}
