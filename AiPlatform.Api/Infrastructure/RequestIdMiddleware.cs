using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Echoes a well-formed <c>X-Request-Id</c> or makes one, and makes it the request's TraceIdentifier
/// (which the error envelope quotes), a log scope and a tag on the request's trace span.
/// </summary>
public sealed partial class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var supplied = context.Request.Headers[HeaderName].ToString();
        var requestId = SafeRequestId().IsMatch(supplied) ? supplied : $"req_{Guid.CreateVersion7():N}";
        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        Activity.Current?.SetTag("request.id", requestId);

        using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId }))
        {
            await next(context);
        }
    }

    // Anything else (too long, control characters) could poison logs; it is replaced, not echoed.
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$")]
    private static partial Regex SafeRequestId();
}
