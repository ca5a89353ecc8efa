using System.Text.Json;

namespace AiPlatform.Web.Services;

/// <summary>
/// What the API said went wrong: its error envelope <c>{"error":{"code","message","details"},"requestId"}</c>.
/// </summary>
/// <param name="FieldErrors">For 422 the envelope's details, <c>{field: [messages]}</c>, keyed by the API's camelCase names.</param>
public sealed record ApiError(string Code, string Message, IReadOnlyDictionary<string, string[]> FieldErrors, string? RequestId)
{
    public const string UnreachableCode = "API_UNREACHABLE";
    public const string MalformedResponseCode = "MALFORMED_RESPONSE";

    private static readonly IReadOnlyDictionary<string, string[]> NoFieldErrors = new Dictionary<string, string[]>();

    public static ApiError Of(string code, string message) => new(code, message, NoFieldErrors, null);

    internal static ApiError? FromEnvelope(ErrorEnvelope? envelope) =>
        envelope?.Error is { Code: { } code, Message: { } message } error
            ? new(code, message, ReadFieldErrors(error.Details), envelope.RequestId)
            : null;

    // Details have other shapes for other codes; only the {field: [messages]} shape is per field.
    private static IReadOnlyDictionary<string, string[]> ReadFieldErrors(JsonElement details)
    {
        if (details.ValueKind != JsonValueKind.Object)
        {
            return NoFieldErrors;
        }

        var fields = new Dictionary<string, string[]>();
        foreach (var property in details.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Array)
            {
                fields[property.Name] = [.. property.Value.EnumerateArray()
                    .Where(m => m.ValueKind == JsonValueKind.String).Select(m => m.GetString()!)];
            }
        }

        return fields;
    }
}

internal sealed record ErrorEnvelope(ErrorBody? Error, string? RequestId);

internal sealed record ErrorBody(string? Code, string? Message, JsonElement Details);

/// <summary>
/// Every way an API call can fail, as one exception type pages catch: an error answer, no answer at all
/// (<see cref="StatusCode"/> 0), or an answer the console cannot read.
/// </summary>
public sealed class ApiException(int statusCode, ApiError error, Exception? innerException = null)
    : Exception(error.Message, innerException)
{
    public int StatusCode { get; } = statusCode;

    public ApiError Error { get; } = error;

    internal static async Task<ApiException> FromResponseAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        try
        {
            var envelope = await response.Content.ReadFromJsonAsync<ErrorEnvelope>(ApiHttp.Json, cancellationToken);
            if (ApiError.FromEnvelope(envelope) is { } error)
            {
                return new(status, error);
            }
        }
        catch (JsonException)
        {
            // Not the API's envelope: a proxy's error page, an empty body. The status line is all there is.
        }

        return new(status, ApiError.Of($"HTTP_{status}", $"The API answered {status} {response.ReasonPhrase}".TrimEnd() + "."));
    }
}
