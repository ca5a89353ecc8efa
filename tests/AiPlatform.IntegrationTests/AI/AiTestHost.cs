using System.Collections.Concurrent;
using AiPlatform.Core.AI;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiPlatform.IntegrationTests.AI;

/// <summary>
/// The AI services composed as the API composes them (ServiceDefaults, then AddAiModels) with one provider, "fake",
/// pointing at a <see cref="FakeOpenAiServer"/>; short timeouts and retry delays keep failure tests quick.
/// Logs are captured at every level so tests can check what they hold.
/// </summary>
internal sealed class AiTestHost : IAsyncDisposable
{
    public const string Provider = "fake";
    public const string Model = "fake-gpt";
    public const string ApiKey = "sk-test-SECRET-4f1d2c9e";

    private readonly IHost _host;

    private AiTestHost(FakeOpenAiServer server, IHost host, CapturingLoggerProvider logs)
    {
        Server = server;
        _host = host;
        Logs = logs;
    }

    public FakeOpenAiServer Server { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _host.Services;

    public IChatModelResolver Resolver => Services.GetRequiredService<IChatModelResolver>();

    public ModelUsageReader UsageReader => Services.GetRequiredService<ModelUsageReader>();

    public static Dictionary<string, string?> ShortAttemptTimeout => new() { ["AI:Resilience:AttemptTimeoutSeconds"] = "1" };

    public static async Task<AiTestHost> StartAsync(string kind = AiProviderKinds.OpenAI, Dictionary<string, string?>? settings = null)
    {
        var server = await FakeOpenAiServer.StartAsync();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = Environments.Production,
            ApplicationName = "AiPlatform.IntegrationTests",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AI:Providers:0:Name"] = Provider,
            ["AI:Providers:0:Kind"] = kind,
            ["AI:Providers:0:Endpoint"] = server.Endpoint.ToString(),
            ["AI:Providers:0:ApiKey"] = ApiKey,
            ["AI:Providers:0:Models:0:Id"] = Model,
            ["AI:Providers:0:Models:0:Capabilities:0"] = "chat",
            ["AI:Providers:0:Models:0:Capabilities:1"] = "streaming",
            ["AI:Providers:0:Models:0:Capabilities:2"] = "tools",
            ["AI:Local:TokenDelayMs"] = "0",
            // Generous, so a busy CI machine never turns a slow scripted reply into a retry that shifts the script;
            // the tests about attempt timeouts ask for 1 s themselves (ShortAttemptTimeout).
            ["AI:Resilience:AttemptTimeoutSeconds"] = "10",
            ["AI:Resilience:TotalTimeoutSeconds"] = "10",
            ["AI:Resilience:MaxRetryAttempts"] = "2",
            ["AI:Resilience:RetryDelayMs"] = "10",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        var logs = new CapturingLoggerProvider();
        builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        builder.AddServiceDefaults();
        builder.AddAiModels();
        var host = builder.Build();
        await host.StartAsync();
        return new AiTestHost(server, host, logs);
    }

    /// <summary>The handlers a named client's requests pass through, outermost first.</summary>
    public static IReadOnlyList<HttpMessageHandler> HandlerChain(IServiceProvider services, string clientName)
    {
        var chain = new List<HttpMessageHandler>();
        for (HttpMessageHandler? h = services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(clientName); h is not null; h = (h as DelegatingHandler)?.InnerHandler)
        {
            chain.Add(h);
        }

        return chain;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        await Server.DisposeAsync();
    }
}

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {state} {exception}");
    }
}
