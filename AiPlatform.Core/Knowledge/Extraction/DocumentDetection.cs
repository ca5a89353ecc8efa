using System.Diagnostics.CodeAnalysis;

namespace AiPlatform.Core.Knowledge.Extraction;

public enum DocumentDetectionOutcome
{
    /// <summary>A supported <see cref="DocumentType"/>.</summary>
    Detected,

    /// <summary>No bytes, or only whitespace (an upload answers 422).</summary>
    Empty,

    /// <summary>Content of a type the knowledge base does not index, whatever its name says (415).</summary>
    Unsupported,

    /// <summary>Claims a supported type but is damaged: a broken ZIP, invalid JSON in a .json file (422).</summary>
    Unreadable,
}

/// <summary>What <see cref="DocumentTypeDetector"/> found: a type, or the reason, readable by the uploader, why not.</summary>
public sealed record DocumentDetection
{
    private DocumentDetection(DocumentDetectionOutcome outcome, DocumentType? type, string? reason)
    {
        Outcome = outcome;
        Type = type;
        Reason = reason;
    }

    public DocumentDetectionOutcome Outcome { get; }

    public DocumentType? Type { get; }

    /// <summary>Why the file cannot be indexed; null when it can.</summary>
    public string? Reason { get; }

    [MemberNotNullWhen(true, nameof(Type))]
    public bool IsSupported => Type is not null;

    public static DocumentDetection Detected(DocumentType type) => new(DocumentDetectionOutcome.Detected, type, null);

    public static DocumentDetection Empty(string reason) => new(DocumentDetectionOutcome.Empty, null, reason);

    public static DocumentDetection Unsupported(string reason) => new(DocumentDetectionOutcome.Unsupported, null, reason);

    public static DocumentDetection Unreadable(string reason) => new(DocumentDetectionOutcome.Unreadable, null, reason);
}
