using System.Text.Json;
using AiPlatform.Core.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AiPlatform.Api.Infrastructure;

/// <summary>The body of every error: <c>{"error":{"code","message","details"},"requestId"}</c>.</summary>
public sealed record ErrorEnvelope(ErrorBody Error, string RequestId);

public sealed record ErrorBody(string Code, string Message, object? Details);

/// <summary>An error result a handler returns; it writes the envelope.</summary>
public sealed class ApiError(int statusCode, string code, string message, object? details = null)
    : IResult, IStatusCodeHttpResult
{
    /// <summary>Lets code that cannot return a result (authentication events) choose the code the status gets.</summary>
    public const string CodeItemKey = "ApiError.Code";

    public int StatusCode { get; } = statusCode;
    int? IStatusCodeHttpResult.StatusCode => StatusCode;
    public string Code { get; } = code;
    public string Message { get; } = message;
    public object? Details { get; } = details;

    public static ApiError NotFound(string what) => FromDomain(DomainException.NotFound(what));

    public static ApiError Validation(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ValidationError,
            "One or more fields are invalid.", errors);

    public static ApiError FromDomain(DomainException exception) =>
        new(exception.StatusCode, exception.Code, exception.Message, exception.Details);

    /// <summary>The envelope for a bare status (404 route, 405, 401 challenge, 403 forbid).</summary>
    public static ApiError ForStatus(HttpContext httpContext, int statusCode) =>
        new(statusCode,
            httpContext.Items[CodeItemKey] as string ?? ErrorCodes.ForStatus(statusCode),
            DefaultMessage(statusCode));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        httpContext.Response.StatusCode = StatusCode;
        var envelope = new ErrorEnvelope(new ErrorBody(Code, Message, Details), httpContext.TraceIdentifier);
        return httpContext.Response.WriteAsJsonAsync(envelope, json, contentType: "application/json");
    }

    private static string DefaultMessage(int statusCode) => statusCode switch
    {
        400 => "The request is malformed.",
        401 => "Authentication is required: send a valid access token.",
        403 => "You do not have permission to perform this action.",
        404 => "The requested resource was not found.",
        405 => "This method is not allowed on this resource.",
        413 => "The request body is too large.",
        415 => "The request's content type is not supported here.",
        429 => "Too many requests; retry later.",
        _ => "The request could not be completed.",
    };
}
