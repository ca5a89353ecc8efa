namespace AiPlatform.Benchmarks.Reporting;

public static class BenchProgress
{
    /// <summary>A progress line on stderr, so stdout holds only the figures.</summary>
    public static void Write(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");
}
