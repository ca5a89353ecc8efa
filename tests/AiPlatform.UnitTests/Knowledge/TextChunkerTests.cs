using System.ComponentModel.DataAnnotations;
using System.Text;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Extraction;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.ML.Tokenizers;

namespace AiPlatform.UnitTests.Knowledge;

public sealed class TextChunkerTests
{
    private static readonly Tokenizer Tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private static readonly string[] Vocabulary =
    [
        "fox", "den", "river", "quickly", "the", "a", "of", "forest", "winter", "hunts", "sleeps", "under",
        "between", "northern", "population", "observed", "because", "territory", "and", "its", "young",
    ];

    [Theory]
    [InlineData(512, 64, true)]
    [InlineData(32, 0, true)]
    [InlineData(33, 16, true)]
    [InlineData(4096, 2047, true)]
    [InlineData(31, 0, false)]
    [InlineData(4097, 64, false)]
    [InlineData(33, 17, false)]
    [InlineData(512, 256, false)]
    [InlineData(512, -1, false)]
    public void Options_are_validated(int size, int overlap, bool valid)
    {
        var options = new ChunkingOptions { ChunkSize = size, Overlap = overlap };

        Assert.Equal(valid, Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true));
        if (!valid)
        {
            Assert.Throws<ArgumentException>(() => Chunker().Chunk([Section("Some text.")], options));
        }
    }

    [Fact]
    public void Invariants_hold_over_many_generated_documents()
    {
        var random = new Random(20260104);
        for (var run = 0; run < 60; run++)
        {
            var size = random.Next(32, 700);
            var overlap = random.Next(0, (size - 1) / 2 + 1);
            var sections = GeneratedSections(random);

            var chunks = Chunker(size, overlap).Chunk(sections);

            AssertSizes(chunks, size);
            var groups = SectionGroups(chunks);
            var nonEmpty = sections.Where(section => !string.IsNullOrWhiteSpace(section.Text)).ToList();
            // Sections are never mixed: consecutive runs of chunks map one to one onto the sections with text.
            Assert.Equal(nonEmpty.Select(section => (section.Page, section.Heading)), groups.Select(group => group.Key));
            foreach (var (section, group) in nonEmpty.Zip(groups))
            {
                Assert.All(group.Chunks, chunk => Assert.Contains(chunk.Text, section.Text));
                AssertWordsKeptWithOverlap(section.Text, group.Chunks, overlap);
            }

            Assert.Equal(chunks, Chunker(size, overlap).Chunk(sections));
        }
    }

    [Fact]
    public void Token_counts_equal_a_fresh_tokenizers_count_on_varied_text()
    {
        // Pieces whose split depends on their neighbours: whitespace runs, punctuation before line breaks,
        // contractions, digits, other scripts, surrogate pairs, a special token.
        string[] fragments =
        [
            "word", "Word", "WORDS", "don't", "they're", "I'LL", "12345678", "3.14159", "  ", "\t", "\r\n", "\n\n\n",
            "...", "?!", "—", "\"quoted.\"", "(parenthesis)", "https://example.com/a/b?c=d", "snake_case_name", "camelCaseName",
            "Füße", "naïve", "Ελληνικά", "русский", "狐狸在森林里。", "日本語のテキスト", "🦊🌲", "e\u0301", "<|endoftext|>", "x=1;y=2",
            ".\n", ":\n\n", "  \n  ", "\u00a0", "a\u200bb",
        ];
        var random = new Random(12);
        var chunker = Chunker(48, 12);
        var fresh = TiktokenTokenizer.CreateForEncoding("o200k_base");
        for (var document = 0; document < 20; document++)
        {
            var text = new StringBuilder();
            for (var i = 0; i < 600; i++)
            {
                text.Append(fragments[random.Next(fragments.Length)]).Append(random.Next(4) == 0 ? "" : " ");
            }

            var chunks = chunker.Chunk([Section(text.ToString())]);

            Assert.NotEmpty(chunks);
            Assert.All(chunks, chunk => Assert.Equal(fresh.CountTokens(chunk.Text), chunk.TokenCount));
        }
    }

    [Fact]
    public void Chunks_end_where_paragraphs_end()
    {
        var random = new Random(5);
        var paragraphs = Enumerable.Range(0, 40).Select(_ => Paragraph(random, sentences: random.Next(2, 6))).ToList();

        var chunks = Chunker(512, 0).Chunk([Section(string.Join("\n\n", paragraphs))]);

        Assert.True(chunks.Count > 3);
        Assert.All(chunks, chunk => Assert.All(chunk.Text.Split("\n\n"), part => Assert.Contains(part, paragraphs)));
    }

    [Fact]
    public void Inside_a_paragraph_chunks_end_where_sentences_end()
    {
        var random = new Random(6);

        var chunks = Chunker(256, 32).Chunk([Section(Paragraph(random, sentences: 200))]);

        Assert.True(chunks.Count > 10);
        Assert.All(chunks, chunk => Assert.Contains(chunk.Text.TrimEnd('"')[^1], ".!?"));
    }

    [Fact]
    public void Every_section_starts_new_chunks_that_keep_its_page_and_heading()
    {
        ExtractedSection[] sections =
        [
            new("Short text on the first page.", 1, null),
            new("   \n  ", 2, null),
            new("Short text on the third page.", 3, "Results"),
            new("Under a heading without a page.", null, "Appendix"),
        ];

        var chunks = Chunker().Chunk(sections);

        Assert.Equal(
            [
                new Chunk(0, "Short text on the first page.", 7, 1, null),
                new Chunk(1, "Short text on the third page.", 7, 3, "Results"),
                new Chunk(2, "Under a heading without a page.", 7, null, "Appendix"),
            ],
            chunks);
    }

    [Fact]
    public void A_word_larger_than_a_chunk_is_the_only_thing_split()
    {
        var random = new Random(8);
        var blob = string.Concat(Enumerable.Range(0, 4000).Select(_ => (char)random.Next('a', 'z' + 1)));
        var text = $"Before the blob comes a sentence. {blob} After the blob comes another.";

        var chunks = Chunker(64, 8).Chunk([Section(text)]);

        AssertSizes(chunks, 64);
        Assert.StartsWith("Before the blob comes a sentence.", chunks[0].Text);
        Assert.EndsWith("After the blob comes another.", chunks[^1].Text);
        Assert.Contains(blob, string.Concat(chunks.Select(chunk => chunk.Text.Replace(" ", ""))));
    }

    [Fact]
    public void Text_without_spaces_is_cut_after_full_width_sentence_marks()
    {
        var text = string.Concat(Enumerable.Range(0, 200).Select(i => $"狐狸在森林里生活第{i}句。"));

        var chunks = Chunker(64, 8).Chunk([Section(text)]);

        AssertSizes(chunks, 64);
        Assert.StartsWith("狐狸在森林里生活第0句。", chunks[0].Text);
        Assert.EndsWith("第199句。", chunks[^1].Text);
        Assert.All(chunks, chunk => Assert.EndsWith("。", chunk.Text));
    }

    [Fact]
    public void A_megabyte_of_text_is_chunked_whole()
    {
        var random = new Random(9);
        var text = new StringBuilder();
        while (text.Length < 1_000_000)
        {
            text.Append(Paragraph(random, sentences: random.Next(1, 8))).Append("\n\n");
        }

        var section = Section(text.ToString());
        var chunks = Chunker().Chunk([section]);

        AssertSizes(chunks, 512);
        AssertWordsKeptWithOverlap(section.Text, chunks, overlap: 64);
    }

    [Fact]
    public void Per_call_options_override_the_configured_ones()
    {
        var text = Paragraph(new Random(10), sentences: 60);

        var chunks = Chunker(512, 64).Chunk([Section(text)], new ChunkingOptions { ChunkSize = 64, Overlap = 0 });

        AssertSizes(chunks, 64);
    }

    [Fact]
    public void The_registration_binds_and_validates_the_configured_options()
    {
        static ServiceProvider Services(string size, string overlap) => new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Knowledge:Chunking:ChunkSize"] = size,
                    ["Knowledge:Chunking:Overlap"] = overlap,
                })
                .Build())
            .AddTextChunking()
            .BuildServiceProvider();

        using var valid = Services("64", "8");
        var chunks = valid.GetRequiredService<TextChunker>().Chunk([Section(Paragraph(new Random(11), sentences: 40))]);
        AssertSizes(chunks, 64);

        using var invalid = Services("64", "32");
        var error = Assert.Throws<OptionsValidationException>(() => invalid.GetRequiredService<IOptions<ChunkingOptions>>().Value);
        Assert.Contains("Overlap", error.Message);
    }

    private static TextChunker Chunker(int size = 512, int overlap = 64) =>
        new(Tokenizer, Options.Create(new ChunkingOptions { ChunkSize = size, Overlap = overlap }));

    private static ExtractedSection Section(string text) => new(text, null, null);

    private static void AssertSizes(IReadOnlyList<Chunk> chunks, int size)
    {
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal(i, chunks[i].Index);
            Assert.Equal(Tokenizer.CountTokens(chunks[i].Text), chunks[i].TokenCount);
            Assert.InRange(chunks[i].TokenCount, 1, size);
            Assert.Equal(chunks[i].Text.Trim(), chunks[i].Text);
        }
    }

    /// <summary>
    /// Every word of the section appears, in order, once the words each chunk repeats from the one before are
    /// removed; and what is repeated is about <paramref name="overlap"/> tokens.
    /// </summary>
    private static void AssertWordsKeptWithOverlap(string section, IReadOnlyList<Chunk> chunks, int overlap)
    {
        var words = new List<string>();
        foreach (var chunk in chunks)
        {
            var chunkWords = Words(chunk.Text);
            // Generated words are unique, so the first word of a chunk can only repeat at one place.
            var at = words.Count == 0 ? -1 : words.LastIndexOf(chunkWords[0]);
            var repeated = at < 0 ? 0 : words.Count - at;
            Assert.Equal(string.Join(' ', words[(words.Count - repeated)..]), string.Join(' ', chunkWords[..repeated]));
            if (words.Count > 0)
            {
                var repeatedTokens = repeated == 0 ? 0 : Tokenizer.CountTokens(string.Join(' ', chunkWords[..repeated]));
                // At most the overlap; at least half of it (a sentence start is preferred), less one word.
                Assert.InRange(repeatedTokens, Math.Min(overlap / 2, overlap - 8) - 2, overlap + 2);
            }

            words.AddRange(chunkWords[repeated..]);
        }

        // Compared as strings: far faster than element by element, and the failure still shows where they differ.
        Assert.Equal(string.Join(' ', Words(section)), string.Join(' ', words));
    }

    private static string[] Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);

    private static List<(( int? Page, string? Heading) Key, List<Chunk> Chunks)> SectionGroups(IReadOnlyList<Chunk> chunks)
    {
        var groups = new List<((int?, string?) Key, List<Chunk> Chunks)>();
        foreach (var chunk in chunks)
        {
            if (groups.Count == 0 || groups[^1].Key != (chunk.Page, chunk.Heading))
            {
                groups.Add(((chunk.Page, chunk.Heading), []));
            }

            groups[^1].Chunks.Add(chunk);
        }

        return groups;
    }

    private static List<ExtractedSection> GeneratedSections(Random random)
    {
        var sections = new List<ExtractedSection>();
        var count = random.Next(1, 6);
        for (var i = 0; i < count; i++)
        {
            var text = new StringBuilder();
            var paragraphs = random.Next(0, 9);
            for (var p = 0; p < paragraphs; p++)
            {
                text.Append(random.Next(4) switch
                {
                    0 => "\n",
                    1 => "\n\n\n",
                    2 => " \n \n ",
                    _ => "\n\n",
                });
                text.Append(Paragraph(random, sentences: random.Next(1, 9)));
            }

            // Unique (page, heading) pairs let the test tell sections apart; some have no text at all.
            sections.Add(new ExtractedSection(text.ToString(), random.Next(2) == 0 ? i + 1 : null, $"Section {i}"));
        }

        return sections;
    }

    private static int _wordNumber;

    /// <summary>Sentences of unique words (a vocabulary word and a number), some lines broken inside.</summary>
    private static string Paragraph(Random random, int sentences)
    {
        var text = new StringBuilder();
        for (var s = 0; s < sentences; s++)
        {
            var words = random.Next(3, 30);
            for (var w = 0; w < words; w++)
            {
                if (text.Length > 0)
                {
                    text.Append(random.Next(25) == 0 ? '\n' : ' ');
                }

                var word = $"{Vocabulary[random.Next(Vocabulary.Length)]}{Interlocked.Increment(ref _wordNumber)}";
                text.Append(w == 0 ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            }

            text.Append(random.Next(10) switch
            {
                0 => "!",
                1 => "?",
                2 => ".\"",
                _ => ".",
            });
        }

        return text.ToString();
    }
}
