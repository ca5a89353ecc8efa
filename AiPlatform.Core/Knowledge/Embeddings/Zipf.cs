namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// Word probabilities from frequency ranks by Zipf's law: the word of rank r (from 1) among N has p = 1 / (r · H(N)),
/// H(N) the N-th harmonic number. The vocabulary comes in frequency order but without counts, so this stands in for them.
/// </summary>
internal readonly struct Zipf(int count)
{
    // H(N) = ln N + γ + 1/(2N), exact to 1e-10 for N in the hundreds of thousands.
    private readonly double _harmonic = Math.Log(count) + 0.5772156649015329 + 1.0 / (2.0 * count);

    /// <summary>The probability of the word at <paramref name="index"/> (its rank, from 0).</summary>
    public double Probability(int index) => 1 / ((index + 1) * _harmonic);
}
