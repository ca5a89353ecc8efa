using System.ComponentModel.DataAnnotations;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>Bound from the "Knowledge:Search" configuration section.</summary>
public sealed class KnowledgeSearchOptions
{
    public const string SectionName = "Knowledge:Search";

    /// <summary>The k of reciprocal rank fusion: a result's score is the sum over both lists of 1 / (k + rank).</summary>
    [Range(1, 1000)]
    public int RrfK { get; set; } = 60;

    /// <summary>How many results each list (full-text, vector) contributes to the fusion.</summary>
    [Range(1, 1000)]
    public int CandidatesPerList { get; set; } = 50;

    /// <summary>
    /// Full-text matches ranked per search, at most. A query of common words can match most of a large index, and
    /// ranking costs per match; past this many, the words say little about which chunk is best and the vector side
    /// decides.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxLexicalMatches { get; set; } = 200;

    /// <summary>
    /// Vector matches with a lower cosine similarity are left out: every chunk is somewhat similar to every query, and
    /// without a floor a question the documents can't answer would still get "sources".
    /// </summary>
    [Range(-1.0, 1.0)]
    public double MinSimilarity { get; set; } = 0.25;

    /// <summary>
    /// Where the vector side runs: <see cref="VectorIndexMode.Auto"/> uses pgvector's HNSW index when the database has
    /// the extension and scans in memory otherwise; <see cref="VectorIndexMode.Exact"/> always scans in memory.
    /// </summary>
    public VectorIndexMode VectorIndex { get; set; } = VectorIndexMode.Auto;
}

public enum VectorIndexMode
{
    Auto,
    Exact,
}
