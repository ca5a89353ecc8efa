namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// The text of a document in reading order, cut into sections at its structural boundaries (pages, headings), so
/// chunks never mix two of them and can cite where they came from.
/// </summary>
/// <param name="PageCount">The number of pages for paged formats (PDF); null for the others.</param>
public sealed record ExtractedDocument(IReadOnlyList<ExtractedSection> Sections, int? PageCount);

/// <summary>
/// Text under one heading, or on one page. Paragraphs are separated by a blank line ("\n\n"), rows and lines by "\n".
/// </summary>
/// <param name="Page">The 1-based page for paged formats, otherwise null.</param>
/// <param name="Heading">The nearest heading above the text (for CSV the rows it holds), or null.</param>
public sealed record ExtractedSection(string Text, int? Page, string? Heading);
