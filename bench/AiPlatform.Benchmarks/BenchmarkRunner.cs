namespace AiPlatform.Benchmarks;

/// <summary>A benchmark the runner can start by name: it measures, prints a table, and asserts nothing.</summary>
public interface IBenchmark
{
    /// <summary>The subcommand, e.g. <c>first-token</c>.</summary>
    string Name { get; }

    /// <summary>One line for the command list.</summary>
    string Description { get; }

    /// <summary>The options it takes, one per line, for <c>--help</c>.</summary>
    string Usage { get; }

    /// <summary>Runs it; the return value is the process exit code (0 = it ran, whatever the figures say).</summary>
    Task<int> RunAsync(BenchmarkArgs args, CancellationToken cancellationToken);
}

public static class BenchmarkRunner
{
    public static async Task<int> RunAsync(IReadOnlyList<IBenchmark> benchmarks, string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintCommands(benchmarks);
            return args.Length == 0 ? 2 : 0;
        }

        var benchmark = benchmarks.FirstOrDefault(b => string.Equals(b.Name, args[0], StringComparison.OrdinalIgnoreCase));
        if (benchmark is null)
        {
            Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
            PrintCommands(benchmarks);
            return 2;
        }

        BenchmarkArgs parsed;
        try
        {
            parsed = BenchmarkArgs.Parse(args.Skip(1));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (parsed.Help)
        {
            Console.WriteLine($"{benchmark.Name}: {benchmark.Description}");
            Console.WriteLine(benchmark.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl+C: stop measuring and clean up (the benchmark drops its database); a second one kills.
            if (!stop.IsCancellationRequested)
            {
                e.Cancel = true;
                stop.Cancel();
            }
        };
        // The same for `kill`: clean up first.
        using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            if (!stop.IsCancellationRequested)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });

        try
        {
            var exitCode = await benchmark.RunAsync(parsed, stop.Token);
            if (parsed.Unused().ToList() is { Count: > 0 } unused)
            {
                Console.Error.WriteLine($"warning: ignored option(s): {string.Join(", ", unused)}");
            }

            return exitCode;
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception) when (stop.IsCancellationRequested)
        {
            // Whatever was in flight when the run was stopped (the hosts stop on the signal too); cleanup has run.
            Console.Error.WriteLine("Cancelled.");
            return 130;
        }
    }

    private static void PrintCommands(IReadOnlyList<IBenchmark> benchmarks)
    {
        Console.WriteLine("usage: dotnet run -c Release --project bench/AiPlatform.Benchmarks -- <benchmark> [options]");
        Console.WriteLine("       ... -- <benchmark> --help");
        Console.WriteLine();
        Console.WriteLine("benchmarks:");
        foreach (var benchmark in benchmarks)
        {
            Console.WriteLine($"  {benchmark.Name,-14} {benchmark.Description}");
        }
    }
}
