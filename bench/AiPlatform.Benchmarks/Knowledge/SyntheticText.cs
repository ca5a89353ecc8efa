using System.Text;

namespace AiPlatform.Benchmarks.Knowledge;

/// <summary>
/// Deterministic English-like prose for the knowledge benchmarks: sentences drawn from a fixed vocabulary of real words
/// (so the word vectors know them and full-text search stems them as it would real documents).
/// </summary>
public sealed class SyntheticText(int seed)
{
    private static readonly string[] Subjects =
        "the engineer|a farmer|the committee|our team|the museum|a doctor|the captain|the river|the company|a student|the orchestra|the government|the bakery|a pilot|the library|the hospital|the village|a scientist|the garden|the factory".Split('|');

    private static readonly string[] Verbs =
        "builds|repairs|studies|measures|protects|describes|improves|collects|delivers|designs|explains|grows|tests|plans|records|examines|shares|supports|reviews|produces".Split('|');

    private static readonly string[] Objects =
        "bridges|engines|harvests|budgets|paintings|vaccines|ships|floods|contracts|essays|symphonies|elections|bread|airports|manuscripts|patients|markets|telescopes|tomatoes|turbines|glaciers|volcanoes|computers|railways|forests|batteries|satellites|recipes|mountains|newspapers".Split('|');

    private static readonly string[] Details =
        "in the winter|after the storm|with great care|for the city|before the deadline|across the region|during the festival|under heavy rain|at the coast|near the border|for young children|with new tools|in the laboratory|on the northern hills|by the old harbour|for the next season".Split('|');

    private readonly Random _random = new(seed);

    public string Sentence() =>
        $"{Capitalize(Pick(Subjects))} {Pick(Verbs)} {Pick(Objects)} {Pick(Details)}.";

    /// <summary>About <paramref name="words"/> words of sentences, in paragraphs of five sentences.</summary>
    public string Text(int words)
    {
        var text = new StringBuilder();
        var sentences = 0;
        while (text.Length < words * 6)
        {
            text.Append(Sentence()).Append(++sentences % 5 == 0 ? "\n\n" : " ");
        }
        return text.ToString().Trim();
    }

    /// <summary>A question made of words the corpus uses.</summary>
    public string Query() => $"{Pick(Subjects)} {Pick(Verbs)} {Pick(Objects)}";

    private string Pick(string[] words) => words[_random.Next(words.Length)];

    private static string Capitalize(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
