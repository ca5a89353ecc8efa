using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AiPlatform.AppHost.Local;

/// <summary>
/// One service process: started with its environment, every output line prefixed with the resource name, stopped
/// gracefully (SIGTERM, as Ctrl+C would) and then killed with its whole process tree.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(string name, Process process, Task<int> exited)
    {
        Name = name;
        _process = process;
        Exited = exited;
    }

    public string Name { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited { get; }

    public int Id => _process.Id;

    public static ChildProcess Start(
        string name, string fileName, IEnumerable<string> arguments, string workingDirectory,
        IReadOnlyDictionary<string, string> environment, IEnumerable<string> removedVariables, Output output)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true, // the services must not read the AppHost's terminal
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        foreach (var variable in removedVariables)
        {
            startInfo.Environment.Remove(variable);
        }
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Line(name, e.Data, error: false); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Line(name, e.Data, error: true); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(name, process, WaitAsync(process));

        static async Task<int> WaitAsync(Process process)
        {
            await process.WaitForExitAsync();
            return process.ExitCode;
        }
    }

    /// <summary>SIGTERM (graceful shutdown), then after <paramref name="grace"/> or on <paramref name="killNow"/> kill the tree.</summary>
    public async Task StopAsync(TimeSpan grace, CancellationToken killNow)
    {
        if (Exited.IsCompleted)
        {
            return;
        }
        if (!OperatingSystem.IsWindows())
        {
            _ = SendSignal(_process.Id, SigTerm);
        }
        try
        {
            await Exited.WaitAsync(grace, killNow);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            Kill();
            await Exited;
        }
    }

    /// <summary>Kills the process and everything it started, at once.</summary>
    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }

    public void Dispose() => _process.Dispose();

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int SendSignal(int pid, int signal);
}
