using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// Background services a test started by hand, each as an API instance of its own on a Redis connection of its own.
/// Disposed with the test: each instance stops before its connection closes.
/// </summary>
public sealed class RedisInstances : IAsyncLifetime
{
    private readonly List<(BackgroundService Service, IConnectionMultiplexer Redis)> _instances = [];

    /// <summary>A connection for a new instance; pass it to <see cref="Add"/> with the instance built on it.</summary>
    public static Task<ConnectionMultiplexer> ConnectAsync() => ConnectionMultiplexer.ConnectAsync(TestServers.Redis);

    public void Add(BackgroundService service, IConnectionMultiplexer redis) => _instances.Add((service, redis));

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var (service, redis) in _instances)
        {
            await service.StopAsync(CancellationToken.None);
            service.Dispose();
            await redis.DisposeAsync();
        }
    }
}
