using System.Text.Json;
using AiPlatform.Core.Common;
using Microsoft.AspNetCore.Diagnostics;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Turns every exception into the error envelope: domain failures and malformed requests keep their
/// status and say what is wrong; anything else is a 500 that reveals nothing internal.
/// </summary>
public sealed class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var error = exception switch
        {
            DomainException domain => ApiError.FromDomain(domain),
            BadHttpRequestException badRequest => FromBadRequest(badRequest),
            _ => null,
        };

        if (error is null)
        {
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
            error = new ApiError(StatusCodes.Status500InternalServerError, ErrorCodes.InternalError,
                "An unexpected error occurred. Quote the request id when reporting it.");
        }

        await error.ExecuteAsync(httpContext);
        return true;
    }

    private static ApiError FromBadRequest(BadHttpRequestException exception)
    {
        // The JSON reader's message names the offending path ("... Path: $.email"); the outer one only the parameter.
        var message = exception.InnerException is JsonException json ? json.Message : exception.Message;
        return new ApiError(exception.StatusCode, ErrorCodes.ForStatus(exception.StatusCode), message);
    }
}
