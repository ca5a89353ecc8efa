using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Tenancy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.SemanticKernel;

namespace AiPlatform.UnitTests.Tools;

/// <summary>
/// The tools as the app composes them (ServiceDefaults, then AddAssistantTools), with the tenant's settings
/// held in memory and, unless a test needs the real one, a fake primary handler so nothing leaves the process.
/// </summary>
internal sealed class ToolTestHost : IDisposable
{
    public static readonly Guid TenantId = Guid.CreateVersion7();

    private readonly IHost _host;

    public ToolTestHost(
        TenantSettings settings,
        HttpMessageHandler? primaryHandler = null,
        Dictionary<string, string?>? configuration = null,
        TimeProvider? clock = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ApplicationName = "AiPlatform.UnitTests",
        });
        builder.Configuration.AddInMemoryCollection(configuration ?? []);
        builder.AddServiceDefaults();
        builder.Services.AddSingleton<ITenantSettingsSource>(new InMemoryTenantSettings(TenantId, settings));
        if (clock is not null)
        {
            builder.Services.AddSingleton<TimeProvider>(clock);
        }

        builder.Services.AddAssistantTools();
        if (primaryHandler is not null)
        {
            builder.Services.AddHttpClient(HttpGetTool.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => primaryHandler);
        }

        _host = builder.Build();
    }

    public IServiceProvider Services => _host.Services;

    public ToolRegistry Registry => Services.GetRequiredService<ToolRegistry>();

    public KernelPlugin Plugin(string toolName) =>
        Assert.Single(Registry.CreatePlugins([toolName], new ToolContext(TenantId, UserId: null, AssistantId: null)));

    /// <summary>Calls <c>http_get</c> the way automatic function calling does, and returns what the model would read.</summary>
    public async Task<string> FetchAsync(string url, CancellationToken cancellationToken = default)
    {
        var function = Plugin(HttpGetTool.ToolName)[HttpGetTool.FunctionName];
        var result = await function.InvokeAsync(new Kernel(), new KernelArguments { ["url"] = url }, cancellationToken);
        return result.GetValue<string>() ?? throw new InvalidOperationException("http_get returned nothing");
    }

    public static TenantSettings Allowing(params string[] hosts) => new() { Tools = new ToolSettings { HttpGetAllowedHosts = [.. hosts] } };

    public void Dispose() => _host.Dispose();

    private sealed class InMemoryTenantSettings(Guid tenantId, TenantSettings settings) : ITenantSettingsSource
    {
        public Task<TenantSettings> GetAsync(Guid id, CancellationToken cancellationToken) =>
            Task.FromResult(id == tenantId ? settings : new TenantSettings());
    }
}

/// <summary>Answers every request with what the test says, and records what was asked.</summary>
internal sealed class FakeHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    public FakeHandler(Func<HttpRequestMessage, HttpResponseMessage> respond)
        : this((request, _) => Task.FromResult(respond(request)))
    {
    }

    public List<Uri> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request.RequestUri!);
        }

        return respond(request, cancellationToken);
    }
}

/// <summary>A body of any length, generated as it is read, that counts the bytes handed out.</summary>
internal sealed class CountingStream(long length, byte fill = (byte)'a') : Stream
{
    private long _position;

    public long BytesRead => _position;

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = (int)Math.Min(count, length - _position);
        buffer.AsSpan(offset, n).Fill(fill);
        _position += n;
        return n;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
