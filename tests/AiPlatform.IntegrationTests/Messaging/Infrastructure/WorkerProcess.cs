using System.Collections.Concurrent;
using System.Diagnostics;

namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>
/// The real Worker as a process of its own, configured as a <see cref="WorkerFactory"/> is, so that a test can kill it
/// (SIGKILL) as a crash, an out-of-memory kill or kill -9 ends it: nothing in it runs afterwards, and its connections
/// to PostgreSQL and RabbitMQ drop with it. No in-process host can die that way.
/// </summary>
public sealed class WorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private WorkerProcess(Process process) => _process = process;

    /// <summary>What the Worker has written so far, for a failing test to show.</summary>
    public string Output => string.Join('\n', _output);

    /// <param name="settings">More configuration for the test (applied last).</param>
    public static WorkerProcess Start(string connectionString, TestBroker broker, IReadOnlyDictionary<string, string?>? settings = null)
    {
        // The test project references the Worker, so its build sits in this project's output.
        var startInfo = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AiPlatform.Worker.dll"));
        startInfo.ArgumentList.Add("--environment=Development");
        startInfo.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (key, value) in WorkerFactory.Configuration(connectionString, broker, settings))
        {
            startInfo.ArgumentList.Add($"--{key}={value}");
        }

        var worker = new WorkerProcess(new Process { StartInfo = startInfo });
        worker._process.OutputDataReceived += (_, e) => worker.Collect(e.Data);
        worker._process.ErrorDataReceived += (_, e) => worker.Collect(e.Data);
        worker._process.Start();
        worker._process.BeginOutputReadLine();
        worker._process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Ends the process with SIGKILL and waits until it is gone.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
