using System.Diagnostics;

namespace AiPlatform.Benchmarks.Reporting;

/// <summary>Percentiles of a set of latencies, in milliseconds (linear interpolation between closest ranks).</summary>
public sealed class LatencyStats
{
    private readonly double[] _sorted;

    public LatencyStats(IEnumerable<double> milliseconds)
    {
        _sorted = milliseconds.ToArray();
        Array.Sort(_sorted);
    }

    public int Count => _sorted.Length;

    public double P50 => Percentile(50);

    public double P90 => Percentile(90);

    public double P99 => Percentile(99);

    public double Max => Count == 0 ? double.NaN : _sorted[^1];

    public double Min => Count == 0 ? double.NaN : _sorted[0];

    public double Mean => Count == 0 ? double.NaN : _sorted.Average();

    public double Percentile(double percent)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = percent / 100 * (Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, Count - 1);
        return _sorted[lower] + (_sorted[upper] - _sorted[lower]) * (rank - lower);
    }

    public static double Milliseconds(long fromTimestamp, long toTimestamp) =>
        (toTimestamp - fromTimestamp) * 1000.0 / Stopwatch.Frequency;
}
