using Microsoft.Extensions.AI;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>Picks each tenant's embedding generator from "Embeddings" (<see cref="EmbeddingsOptions"/>).</summary>
public interface IEmbeddingGeneratorProvider
{
    /// <summary>The generator that embeds <paramref name="tenantId"/>'s chunks and queries. Shared: never dispose it.</summary>
    EmbeddingGeneratorSelection GetGenerator(Guid tenantId);

    /// <summary>Every configured generator, the built-in offline one included.</summary>
    IReadOnlyCollection<EmbeddingGeneratorSelection> Generators { get; }
}

/// <summary>
/// A generator and what a stored vector records about it: <paramref name="GeneratorId"/> ("local-glove-100d",
/// "openai:text-embedding-3-small") and <paramref name="Dimensions"/>. A chunk whose recorded pair differs from its
/// tenant's current one was embedded by another generator and must be embedded again. Every vector it makes has unit
/// length (or is all zeros), so cosine similarity is the dot product.
/// </summary>
public sealed record EmbeddingGeneratorSelection(
    IEmbeddingGenerator<string, Embedding<float>> Generator, string GeneratorId, int Dimensions);
