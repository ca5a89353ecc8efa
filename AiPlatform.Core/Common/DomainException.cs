namespace AiPlatform.Core.Common;

/// <summary>
/// A failure the caller can act on. The API turns it into the error envelope with
/// <see cref="StatusCode"/> and <see cref="Code"/>; anything else becomes a 500.
/// </summary>
public class DomainException(int statusCode, string code, string message, object? details = null)
    : Exception(message)
{
    public int StatusCode { get; } = statusCode;
    public string Code { get; } = code;
    public object? Details { get; } = details;

    public static DomainException NotFound(string what) =>
        new(404, ErrorCodes.ResourceNotFound, $"{what} was not found.");

    public static DomainException Conflict(string message) =>
        new(409, ErrorCodes.Conflict, message);

    public static DomainException Validation(string field, string message) =>
        new(422, ErrorCodes.ValidationError, message, new Dictionary<string, string[]> { [field] = [message] });
}
