using Microsoft.Extensions.Hosting;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>Stops, then disposes, a background service a test started by hand as an instance of its own.</summary>
public sealed class StoppingInstance(BackgroundService service) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await service.StopAsync(CancellationToken.None);
        service.Dispose();
    }
}
