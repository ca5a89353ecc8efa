using AiPlatform.Core.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace AiPlatform.Api.Infrastructure;

public sealed class RequestLimitsOptions
{
    public const string SectionName = "Api:RequestLimits";

    /// <summary>Largest body a JSON endpoint accepts. Upload endpoints raise it for themselves.</summary>
    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}

/// <summary>
/// Refuses a declared oversize body at once with 413 and caps undeclared (chunked) bodies through
/// the server's body-size feature, which makes the body reader fail with 413 too.
/// </summary>
public sealed class RequestSizeLimitMiddleware(RequestDelegate next, IOptions<RequestLimitsOptions> options)
{
    public Task InvokeAsync(HttpContext context)
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize
            ?? options.Value.MaxBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return new ApiError(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"The request body is {context.Request.ContentLength} bytes; the limit here is {limit} bytes.").ExecuteAsync(context);
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
