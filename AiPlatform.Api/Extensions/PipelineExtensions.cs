using AiPlatform.Api.Infrastructure;
using Scalar.AspNetCore;

namespace AiPlatform.Api.Extensions;

public static class PipelineExtensions
{
    /// <summary>Request ids, the error envelope for every failure, and the request-size guard, ahead of everything else.</summary>
    public static void UseApiConventions(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        // ApiExceptionHandler answers every exception; the middleware insists on a fallback all the same.
        app.UseExceptionHandler(fallback => { });
        // Bare error statuses (unknown route, wrong method, auth challenge, forbid) get the envelope too.
        app.UseStatusCodePages(context =>
            ApiError.ForStatus(context.HttpContext, context.HttpContext.Response.StatusCode).ExecuteAsync(context.HttpContext));
        app.UseRouting();
        app.UseMiddleware<RequestSizeLimitMiddleware>();
        app.UseAuthentication();
        app.UseMiddleware<TenantResolutionMiddleware>();
        app.UseAuthorization();
    }

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi().AllowAnonymous();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference().AllowAnonymous();
        }
    }

    /// <summary>The versioned API root: authenticated and validated unless an endpoint says otherwise.</summary>
    public static RouteGroupBuilder MapApiV1(this WebApplication app) =>
        app.MapGroup("/api/v1").RequireAuthorization().WithRequestValidation();
}
