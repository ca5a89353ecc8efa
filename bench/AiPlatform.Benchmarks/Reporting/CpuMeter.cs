using System.Diagnostics;
using System.Globalization;

namespace AiPlatform.Benchmarks.Reporting;

/// <summary>
/// CPU time used so far by this process (the API, the load generator and the fake model, when they are hosted here),
/// by the PostgreSQL backends serving one database (their process title names it; backends of other databases, e.g.
/// someone's tests, are left out) and by the Redis server; read from /proc, 0 where unreadable.
/// The difference of two snapshots over a measured phase, divided by its requests, is the CPU a request costs.
/// Also this process's managed allocations and GC pauses, which are part of that CPU.
/// </summary>
public readonly record struct CpuSnapshot(
    TimeSpan Process, TimeSpan Postgres, TimeSpan Redis, long AllocatedBytes, TimeSpan GcPause, long JitMethods, TimeSpan JitTime)
{
    private const double TicksPerSecond = 100; // USER_HZ: the unit of /proc/<pid>/stat times on Linux

    public static CpuSnapshot Take(string postgresDatabase)
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        var (postgres, redis) = (0.0, 0.0);
        if (OperatingSystem.IsLinux())
        {
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(directory);
                if (name.Length == 0 || !char.IsDigit(name[0]))
                {
                    continue;
                }

                var (command, seconds) = Read(directory);
                if (command == "postgres" && Title(directory).Contains($" {postgresDatabase} ", StringComparison.Ordinal))
                {
                    postgres += seconds;
                }
                else if (command == "redis-server")
                {
                    redis += seconds;
                }
            }
        }

        return new CpuSnapshot(self.TotalProcessorTime, TimeSpan.FromSeconds(postgres), TimeSpan.FromSeconds(redis),
            GC.GetTotalAllocatedBytes(precise: false), GC.GetTotalPauseDuration(),
            System.Runtime.JitInfo.GetCompiledMethodCount(), System.Runtime.JitInfo.GetCompilationTime());
    }

    public static CpuSnapshot operator -(CpuSnapshot after, CpuSnapshot before) =>
        new(after.Process - before.Process, after.Postgres - before.Postgres, after.Redis - before.Redis,
            after.AllocatedBytes - before.AllocatedBytes, after.GcPause - before.GcPause,
            after.JitMethods - before.JitMethods, after.JitTime - before.JitTime);

    /// <summary>This difference shared out over <paramref name="requests"/>.</summary>
    public CpuSnapshot Per(int requests) => requests == 0
        ? this
        : new(Process / requests, Postgres / requests, Redis / requests, AllocatedBytes / requests, GcPause / requests, JitMethods, JitTime);

    /// <summary>
    /// Waits until the JIT has stopped compiling (no method for <paramref name="quiet"/>, at most <paramref name="limit"/>):
    /// after a warm-up, tiered compilation keeps recompiling hot methods in the background for a while, and that CPU
    /// would otherwise land in the next measured phase.
    /// </summary>
    public static async Task<long> WaitForJitToSettleAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var start = System.Runtime.JitInfo.GetCompiledMethodCount();
        var last = start;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(quiet, cancellationToken);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            if (now == last)
            {
                break;
            }

            last = now;
        }

        return last - start;
    }

    /// <summary>A PostgreSQL backend's process title: "postgres: user database host(port) state".</summary>
    private static string Title(string directory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, "cmdline")).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The command name and its user + system CPU seconds; (null, 0) when the process is gone or unreadable.</summary>
    private static (string? Command, double Seconds) Read(string directory)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(directory, "stat"));
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                return (null, 0);
            }

            // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
            var fields = stat[(close + 2)..].Split(' ');
            var user = double.Parse(fields[11], CultureInfo.InvariantCulture);
            var system = double.Parse(fields[12], CultureInfo.InvariantCulture);
            return (stat[(open + 1)..close], (user + system) / TicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return (null, 0);
        }
    }
}
