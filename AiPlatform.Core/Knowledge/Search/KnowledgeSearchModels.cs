namespace AiPlatform.Core.Knowledge.Search;

/// <param name="TopK">How many results to return (1–50).</param>
/// <param name="AssistantId">Only documents linked to this assistant.</param>
/// <param name="DocumentIds">Only these documents.</param>
public sealed record KnowledgeQuery(string Query, int TopK, Guid? AssistantId = null, IReadOnlyCollection<Guid>? DocumentIds = null);

/// <summary>
/// One retrieved chunk. <paramref name="Score"/> is its reciprocal-rank-fusion score; <paramref name="Relevance"/> the
/// same scaled to 0–1 (1 = first in both lists); a rank is null when that list did not find the chunk.
/// </summary>
public sealed record KnowledgeHit(
    Guid DocumentId, string Filename, Guid ChunkId, string Text, int? Page, string? Heading,
    double Score, double Relevance, int? LexicalRank, int? VectorRank);
