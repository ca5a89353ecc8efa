using System.Diagnostics;

namespace AiPlatform.Web.Components.Pages.Chat;

/// <summary>
/// Coalesces re-renders while a reply streams in: a model can send hundreds of deltas a second and every render's diff
/// crosses the circuit. Renders at most once per interval, and always honours the last request, so text never sits
/// unrendered behind a pause in the stream. Used on the renderer's synchronization context only.
/// </summary>
internal sealed class RenderThrottle(Action render, TimeSpan interval)
{
    private long lastRender;
    private bool scheduled;

    public void Request()
    {
        if (scheduled)
        {
            return;
        }

        var wait = interval - Stopwatch.GetElapsedTime(lastRender);
        if (wait <= TimeSpan.Zero)
        {
            Render();
            return;
        }

        scheduled = true;
        _ = RenderAfterAsync(wait);
    }

    private async Task RenderAfterAsync(TimeSpan wait)
    {
        // Resumes on the renderer's context it was started from, where rendering is allowed.
        await Task.Delay(wait);
        scheduled = false;
        Render();
    }

    private void Render()
    {
        lastRender = Stopwatch.GetTimestamp();
        render();
    }
}
