namespace AiPlatform.Core.Knowledge.Extraction;

/// <summary>
/// A document of a supported type whose text could not be read (damaged, encrypted, no text layer). The message is
/// written for the end user: it ends up as the document's error.
/// </summary>
public sealed class DocumentExtractionException(string message, Exception? innerException = null)
    : Exception(message, innerException);
