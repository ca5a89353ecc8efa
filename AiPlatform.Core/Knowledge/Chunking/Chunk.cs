namespace AiPlatform.Core.Knowledge.Chunking;

/// <summary>A piece of a document sized for embedding and retrieval.</summary>
/// <param name="Index">Position in the document, from 0.</param>
/// <param name="TokenCount">Tokens of <paramref name="Text"/> as the chunker's tokenizer counts them.</param>
/// <param name="Page">The page of the section it comes from, for citations.</param>
/// <param name="Heading">The heading of the section it comes from, for citations.</param>
public sealed record Chunk(int Index, string Text, int TokenCount, int? Page, string? Heading);
