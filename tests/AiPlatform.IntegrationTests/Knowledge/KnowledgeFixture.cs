using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// The API and the real Worker on one database and a broker topology of their own: uploads travel outbox → RabbitMQ →
/// ingestion pipeline exactly as in the running stack. Retries are quick and few, so failure tests end in seconds.
/// </summary>
public class KnowledgeFixture : ApiFactory
{
    public static readonly IReadOnlyDictionary<string, string?> WorkerSettings = new Dictionary<string, string?>
    {
        ["EventBus:MaxDeliveryAttempts"] = "2",
        ["EventBus:RetryDelay"] = "00:00:00.200",
        ["Ingestion:ProgressInterval"] = "00:00:00.050",
    };

    public TestBroker Broker { get; private set; } = null!;

    /// <summary>An OpenAI-compatible server on loopback, for tests that need a remote model or embedder.</summary>
    public FakeOpenAiServer Fake { get; private set; } = null!;

    /// <summary>The Worker started with the fixture, or the one a test put in its place with <see cref="ReplaceWorker"/>.</summary>
    public WorkerFactory? Worker { get; private set; }

    /// <summary>False for tests that start their Workers themselves, with settings of their own.</summary>
    protected virtual bool StartsWorker => true;

    public override async Task InitializeAsync()
    {
        Fake = await FakeOpenAiServer.StartAsync();
        await base.InitializeAsync();
        Broker = await TestBroker.CreateAsync("knowledge");
        if (StartsWorker)
        {
            Worker = StartWorker();
            await Broker.WaitForConsumerAsync();
        }
    }

    public override async Task DisposeFixtureAsync()
    {
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }
        await Broker.DisposeAsync();
        await base.DisposeFixtureAsync();
        await Fake.DisposeAsync();
    }

    /// <summary>Another Worker process on the same database and queue (the caller disposes it).</summary>
    /// <param name="settings">More configuration, over <see cref="WorkerSettings"/>.</param>
    public WorkerFactory StartWorker(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var worker = new WorkerFactory(Database.ConnectionString, Broker, OverWorkerSettings(settings));
        _ = worker.Server;
        return worker;
    }

    /// <summary>Another Worker on the same database and queue, as a process of its own a test can kill (the caller disposes it).</summary>
    /// <param name="settings">More configuration, over <see cref="WorkerSettings"/>.</param>
    public WorkerProcess StartWorkerProcess(IReadOnlyDictionary<string, string?>? settings = null) =>
        WorkerProcess.Start(Database.ConnectionString, Broker, OverWorkerSettings(settings));

    private static IReadOnlyDictionary<string, string?> OverWorkerSettings(IReadOnlyDictionary<string, string?>? settings) =>
        settings is null ? WorkerSettings : WorkerSettings.ExceptBy(settings.Keys, setting => setting.Key).Concat(settings).ToDictionary();

    /// <summary>Makes <paramref name="worker"/> the one the fixture disposes.</summary>
    public void ReplaceWorker(WorkerFactory? worker) => Worker = worker;

    /// <summary>Uploads and waits until the document is PROCESSED; returns its final JSON.</summary>
    public async Task<JsonElement> UploadProcessedAsync(HttpClient client, string fileName, byte[] content)
    {
        var id = (await client.UploadOkAsync(fileName, content)).GetProperty("id").GetGuid();
        return await WaitForStatusAsync(client, id, "PROCESSED");
    }

    public static async Task<JsonElement> WaitForStatusAsync(HttpClient client, Guid id, string status, TimeSpan? timeout = null)
    {
        JsonElement document = default;
        await Eventually.TrueAsync(async () =>
        {
            document = await (await client.GetAsync($"/api/v1/documents/{id}")).ReadJsonAsync();
            var current = document.GetProperty("status").GetString();
            Assert.True(current != "ERROR" || status == "ERROR", $"The document failed: {document}");
            return current == status;
        }, timeout ?? TimeSpan.FromSeconds(60), $"document {id} to be {status}");
        return document;
    }

    public static async Task<JsonElement[]> SearchAsync(HttpClient client, object request)
    {
        var response = await client.PostAsJsonAsync("/api/v1/knowledge/search", request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.ReadJsonAsync()).EnumerateArray().ToArray();
    }
}

/// <summary>A <see cref="KnowledgeFixture"/> whose tests start their Workers themselves.</summary>
public sealed class ManualWorkerKnowledgeFixture : KnowledgeFixture
{
    protected override bool StartsWorker => false;
}
