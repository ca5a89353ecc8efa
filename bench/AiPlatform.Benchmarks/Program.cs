using AiPlatform.Benchmarks.FirstToken;
using AiPlatform.Benchmarks.Knowledge;

namespace AiPlatform.Benchmarks;

// Not top-level statements: those would declare a global Program and hide the API's, which the benchmarks host.
public static class BenchmarkProgram
{
    /// <summary>Every benchmark, by subcommand. Add one: a class implementing IBenchmark in a folder of its own, listed here.</summary>
    private static readonly IBenchmark[] Benchmarks =
    [
        new FirstTokenBenchmark(),
        new IngestionBenchmark(),
        new SearchBenchmark(),
    ];

    public static Task<int> Main(string[] args) => BenchmarkRunner.RunAsync(Benchmarks, args);
}
