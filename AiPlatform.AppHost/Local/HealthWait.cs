namespace AiPlatform.AppHost.Local;

/// <summary>
/// Polls each service's <c>/health</c> (Aspire's WithHttpHealthCheck("/health")) until it answers 200.
/// </summary>
internal static class HealthWait
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>
    /// Returns false as soon as a service exits; true when all are healthy or when <paramref name="timeout"/> has
    /// passed (the late ones are marked Unhealthy, reported, and keep being polled: a later success is announced).
    /// </summary>
    public static async Task<bool> UntilHealthyAsync(
        IReadOnlyList<RunningService> services, TimeSpan timeout, Output output, CancellationToken stopping)
    {
        var tableShown = new TaskCompletionSource();
        var polls = services.Select(s => PollAsync(s, output, tableShown.Task, stopping)).ToList();
        var deadline = Task.Delay(timeout, stopping);
        try
        {
            while (polls.Any(p => !p.IsCompleted))
            {
                if (await Task.WhenAny(polls.Where(p => !p.IsCompleted).Append(deadline)) == deadline)
                {
                    stopping.ThrowIfCancellationRequested();
                    foreach (var late in services.Where(s => s.State is "Starting" or "Unhealthy"))
                    {
                        late.State = "Unhealthy";
                        output.Fail($"{late.Name} did not become healthy within {timeout.TotalSeconds:0} s ({Describe(late)})");
                    }
                    return !services.Any(s => s.Process.Exited.IsCompleted);
                }
                if (services.Any(s => s.Process.Exited.IsCompleted))
                {
                    return false;
                }
            }
            return !services.Any(s => s.Process.Exited.IsCompleted);
        }
        finally
        {
            tableShown.TrySetResult();
        }
    }

    private static async Task PollAsync(RunningService service, Output output, Task tableShown, CancellationToken stopping)
    {
        var health = new Uri(service.Url, "/health");
        while (!stopping.IsCancellationRequested)
        {
            if (service.Process.Exited.IsCompleted)
            {
                if (!tableShown.IsCompleted) // afterwards, LocalHost reports exits
                {
                    service.State = $"Exited({service.Process.Exited.Result})";
                    output.Fail($"{service.Name} exited with code {service.Process.Exited.Result}");
                }
                return;
            }
            try
            {
                using var response = await Http.GetAsync(health, stopping);
                service.LastHealth = $"GET {health} answered {(int)response.StatusCode}";
                if (response.IsSuccessStatusCode)
                {
                    var late = tableShown.IsCompleted;
                    service.State = "Healthy";
                    if (late)
                    {
                        output.Info($"{service.Name} is now Healthy");
                    }
                    return;
                }
                service.State = "Unhealthy";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stopping.IsCancellationRequested)
            {
                service.LastHealth = $"GET {health}: {e.Message}";
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await Task.WhenAny(Task.Delay(Interval, stopping), service.Process.Exited);
        }
    }

    private static string Describe(RunningService service) => service.LastHealth ?? "no answer yet";
}
