namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>The formats the knowledge base indexes; <see cref="DocumentTypeDetector"/> tells them apart by content.</summary>
public enum DocumentType
{
    Pdf,
    Docx,
    Txt,
    Md,
    Html,
    Csv,
    Json,
}

internal static class DocumentTypeNames
{
    /// <summary>How messages meant for end users name a type ("The PDF could not be read").</summary>
    public static string Describe(this DocumentType type) => type switch
    {
        DocumentType.Pdf => "PDF",
        DocumentType.Docx => "Word document",
        DocumentType.Txt => "text file",
        DocumentType.Md => "Markdown file",
        DocumentType.Html => "HTML page",
        DocumentType.Csv => "CSV file",
        DocumentType.Json => "JSON file",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };
}
