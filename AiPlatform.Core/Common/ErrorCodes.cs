namespace AiPlatform.Core.Common;

/// <summary>The error codes of the API's error envelope (taken from the products our users come from).</summary>
public static class ErrorCodes
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string AuthenticationFailed = "AUTHENTICATION_FAILED";
    public const string TokenExpired = "TOKEN_EXPIRED";
    public const string InsufficientPermissions = "INSUFFICIENT_PERMISSIONS";
    public const string ResourceNotFound = "RESOURCE_NOT_FOUND";
    public const string Conflict = "CONFLICT";
    public const string RateLimitExceeded = "RATE_LIMIT_EXCEEDED";
    public const string TenantSuspended = "TENANT_SUSPENDED";
    public const string QuotaExceeded = "QUOTA_EXCEEDED";
    public const string InsufficientCredits = "INSUFFICIENT_CREDITS";
    public const string AiServiceUnavailable = "AI_SERVICE_UNAVAILABLE";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string InternalError = "INTERNAL_ERROR";

    /// <summary>The code an error status gets when nothing more specific was said.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 or 422 => ValidationError,
        401 => AuthenticationFailed,
        402 => InsufficientCredits,
        403 => InsufficientPermissions,
        404 => ResourceNotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimitExceeded,
        502 or 503 or 504 => AiServiceUnavailable,
        _ => InternalError,
    };
}
