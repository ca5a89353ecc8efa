using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using System.Runtime.InteropServices;

namespace AiPlatform.Benchmarks.Reporting;

/// <summary>What the figures were measured on: printed in every benchmark's header.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var gc = GCSettings.IsServerGC ? "Server GC" : "Workstation GC";
        return $"{Environment.ProcessorCount} cores ({Cpu()}), {Os()}, {RuntimeInformation.OSArchitecture}, " +
            $"{RuntimeInformation.FrameworkDescription}, {gc}";
    }

    /// <summary>Release or Debug, as the assembly holding <paramref name="type"/> was compiled (the JIT optimizer setting says).</summary>
    public static string BuildOf(Type type)
    {
        var debuggable = type.Assembly.GetCustomAttribute<DebuggableAttribute>();
        return debuggable?.IsJITOptimizerDisabled == true ? "Debug" : "Release";
    }

    /// <summary>The 1/5/15-minute load averages: other work on the machine distorts latency figures.</summary>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]} (1/5/15 min)";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string Os()
    {
        try
        {
            var pretty = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            if (pretty is not null)
            {
                return pretty["PRETTY_NAME=".Length..].Trim('"') + $" (kernel {Environment.OSVersion.Version})";
            }
        }
        catch (IOException)
        {
        }

        return RuntimeInformation.OSDescription;
    }

    private static string Cpu()
    {
        try
        {
            var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (model is not null)
            {
                return model[(model.IndexOf(':') + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }

        return "cpu unknown";
    }
}
