using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using AiPlatform.IntegrationTests.Infrastructure;
using Npgsql;
using Xunit.Abstractions;

namespace AiPlatform.IntegrationTests.AppHost;

/// <summary>
/// The RUN command's AppHost in local mode, as a process: `dotnet run --no-build --project AiPlatform.AppHost` on
/// non-default ports with a database of its own. api and web must report healthy, and SIGINT must stop every child.
/// </summary>
public sealed partial class AppHostLocalModeTests(ITestOutputHelper output)
{
    private const int ApiPort = 5280;
    private const int WorkerPort = 5285;
    private const int WebPort = 5290;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public async Task Local_mode_starts_the_stack_healthy_and_SIGINT_stops_every_child()
    {
        if (ContainerRuntimeSocketExists())
        {
            // The AppHost was built in Aspire mode on this machine (UseAspire defaults to true): nothing local to test.
            output.WriteLine("A container runtime socket exists: the AppHost runs in Aspire mode here; skipping the local-mode test.");
            return;
        }
        foreach (var port in new[] { ApiPort, WorkerPort, WebPort })
        {
            Assert.False(await IsListeningAsync(port), $"port {port} is already in use: another AppHost is still running?");
        }

        var lines = new ConcurrentQueue<string>();
        await using var database = await TestDatabase.CreateAsync("apphost");
        using var appHost = StartAppHost(database.ConnectionString, lines);
        try
        {
            using var startup = new CancellationTokenSource(StartTimeout);
            await WaitForHealthAsync(appHost, $"http://localhost:{ApiPort}/health", lines, startup.Token);
            await WaitForHealthAsync(appHost, $"http://localhost:{WebPort}/health", lines, startup.Token);
            await WaitUntilAsync(() => TableRow(lines, "web") is not null || appHost.HasExited, startup.Token);

            Assert.False(appHost.HasExited, $"the AppHost exited with code {ExitCode(appHost)}\n{Tail(lines)}");
            Assert.Contains("Healthy", TableRow(lines, "api"));
            Assert.Contains("Healthy", TableRow(lines, "web"));
            var children = ChildPids(lines);
            Assert.Equal(new[] { "api", "web", "worker" }, children.Keys.Order());

            // Ctrl+C as the AppHost sees it. (`dotnet run` itself ignores SIGINT: a terminal signals the whole
            // process group. It forwards SIGTERM.)
            Signal(ChildrenOf(appHost.Id).Single(), "INT");
            using var stop = new CancellationTokenSource(StopTimeout);
            await appHost.WaitForExitAsync(stop.Token);

            Assert.Equal(0, appHost.ExitCode);
            using var gone = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await WaitUntilAsync(() => children.Values.All(IsGone), gone.Token);
            foreach (var port in new[] { ApiPort, WorkerPort, WebPort })
            {
                Assert.False(await IsListeningAsync(port), $"port {port} is still open after the AppHost stopped");
            }
        }
        catch
        {
            output.WriteLine(Tail(lines));
            throw;
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
                await appHost.WaitForExitAsync();
            }
            foreach (var pid in ChildPids(lines).Values.Where(pid => !IsGone(pid)))
            {
                TryKillTree(pid);
            }
            NpgsqlConnection.ClearAllPools();
        }
    }

    private static Process StartAppHost(string connectionString, ConcurrentQueue<string> lines)
    {
        var root = RepositoryRoot();
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = root,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string[] arguments =
        [
            "run", "--no-build", "-c", Configuration, "--project", Path.Combine(root, "AiPlatform.AppHost", "AiPlatform.AppHost.csproj"), "--",
            $"--Local:Urls:api=http://localhost:{ApiPort}",
            $"--Local:Urls:worker=http://localhost:{WorkerPort}",
            $"--Local:Urls:web=http://localhost:{WebPort}",
            $"--Local:ConnectionStrings:aiplatformdb={connectionString}",
            $"--Local:ConnectionStrings:cache={TestServers.Redis}",
            $"--Local:ConnectionStrings:messaging={TestServers.RabbitMq}",
        ];
        arguments.ToList().ForEach(startInfo.ArgumentList.Add);
        // The test host runs under MSBuild's environment; the nested `dotnet run` must pick its own.
        foreach (var variable in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            startInfo.Environment.Remove(variable);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForHealthAsync(Process appHost, string url, ConcurrentQueue<string> lines, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            Assert.False(appHost.HasExited, $"the AppHost exited with code {ExitCode(appHost)} before {url} was healthy\n{Tail(lines)}");
            try
            {
                using var response = await http.GetAsync(url, cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Request timeout.
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{url} did not answer 200 within {StartTimeout.TotalMinutes} min\n{Tail(lines)}");
            }
            await Task.Delay(500, cancellationToken);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>The row "| web | project | Healthy | http://… |" of the AppHost's resource table.</summary>
    private static string? TableRow(IEnumerable<string> lines, string name) =>
        lines.LastOrDefault(l => l.StartsWith($"| {name} ", StringComparison.Ordinal));

    /// <summary>The AppHost logs "started api (pid 1234) on …" for each child.</summary>
    private static Dictionary<string, int> ChildPids(IEnumerable<string> lines) =>
        lines.Select(l => StartedLine().Match(l)).Where(m => m.Success)
            .GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => int.Parse(g.Last().Groups[2].Value));

    [GeneratedRegex(@"started (\w+) \(pid (\d+)\)")]
    private static partial Regex StartedLine();

    /// <summary>The processes whose parent is <paramref name="pid"/> (from /proc/*/stat).</summary>
    private static List<int> ChildrenOf(int pid)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var candidate))
            {
                try
                {
                    // "pid (comm) state ppid ...": the fields after the last ')'.
                    var fields = File.ReadAllText(Path.Combine(directory, "stat")).Split(')').Last().Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (int.Parse(fields[1]) == pid)
                    {
                        children.Add(candidate);
                    }
                }
                catch (IOException)
                {
                    // Exited meanwhile.
                }
            }
        }
        return children;
    }

    /// <summary>No such process, or a zombie (exited, not yet reaped).</summary>
    private static bool IsGone(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            return !File.Exists(stat) || File.ReadAllText(stat).Split(')').Last().TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void TryKillTree(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    private static void Signal(int pid, string signal)
    {
        var startInfo = new ProcessStartInfo("kill") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-" + signal);
        startInfo.ArgumentList.Add(pid.ToString());
        using var kill = Process.Start(startInfo)!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync("localhost", port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            return false;
        }
    }

    private static bool ContainerRuntimeSocketExists() =>
        File.Exists("/var/run/docker.sock") || File.Exists("/run/podman/podman.sock") ||
        (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime && File.Exists(Path.Combine(runtime, "podman", "podman.sock")));

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AiPlatform.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"AiPlatform.sln not found above {AppContext.BaseDirectory}");
    }

    private static string ExitCode(Process process) => process.HasExited ? process.ExitCode.ToString() : "(running)";

    private static string Tail(IEnumerable<string> lines) => string.Join('\n', lines.TakeLast(150));
}
