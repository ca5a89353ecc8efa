using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AiPlatform.Benchmarks.Knowledge;

/// <summary>
/// Deterministic English-like prose for the knowledge benchmarks: real words (so the word vectors know them and full-text
/// search stems them as it would real documents) drawn with a Zipf-like skew, a few common, most rare, as in real text.
/// The vocabulary is the o200k tokenizer's whole-word tokens, in the order the tokenizer learned them (roughly by frequency).
/// </summary>
public sealed partial class SyntheticText(int seed)
{
    private static readonly Lazy<string[]> Vocabulary = new(() =>
    {
        var tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
        return Enumerable.Range(0, 200_000)
            .Select(id => tokenizer.Decode([id]) ?? "")
            .Where(token => token.Length > 4 && token[0] == ' ' && Word().IsMatch(token.AsSpan(1)))
            .Select(token => token[1..])
            .Take(20_000)
            .ToArray();
    });

    private readonly Random _random = new(seed);

    public string Sentence()
    {
        var words = Enumerable.Range(0, _random.Next(8, 17)).Select(_ => Pick()).ToArray();
        words[0] = char.ToUpperInvariant(words[0][0]) + words[0][1..];
        return string.Join(' ', words) + ".";
    }

    /// <summary>About <paramref name="words"/> words of sentences, in paragraphs of five sentences.</summary>
    public string Text(int words)
    {
        var text = new StringBuilder();
        var sentences = 0;
        while (text.Length < words * 7)
        {
            text.Append(Sentence()).Append(++sentences % 5 == 0 ? "\n\n" : " ");
        }
        return text.ToString().Trim();
    }

    /// <summary>A three-word question drawn like the text.</summary>
    public string Query() => $"{Pick()} {Pick()} {Pick()}";

    // Rank r with probability about 1 / r (log-uniform over the vocabulary): Zipf's law for word frequencies.
    private string Pick()
    {
        var vocabulary = Vocabulary.Value;
        return vocabulary[(int)Math.Pow(vocabulary.Length, _random.NextDouble()) - 1];
    }

    [GeneratedRegex("^[a-z]{4,12}$")]
    private static partial Regex Word();
}
