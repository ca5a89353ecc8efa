using AiPlatform.Core.Knowledge.Embeddings;

namespace AiPlatform.UnitTests.Embeddings;

public class WordTokenizerTests
{
    [Theory]
    [InlineData("", new string[0])]
    [InlineData("  ...  ", new string[0])]
    [InlineData("Ships sail.", new[] { "Ships", "sail" })]
    [InlineData("a well-known e-mail", new[] { "a", "well-known", "e-mail" })]
    [InlineData("-dash- double--dash end-", new[] { "dash", "double", "dash", "end" })]
    [InlineData("Don't stop—it’s 3.5 km", new[] { "Don", "t", "stop", "it", "s", "3", "5", "km" })]
    [InlineData("Café naïve Zürich", new[] { "Café", "naïve", "Zürich" })]
    [InlineData("tab\tnew\nline", new[] { "tab", "new", "line" })]
    public void Words_are_runs_of_letters_and_digits_with_inner_hyphens(string text, string[] expected)
    {
        var words = new List<string>();
        foreach (var word in new WordTokenizer(text))
        {
            words.Add(word.ToString());
        }

        Assert.Equal(expected, words);
    }
}
