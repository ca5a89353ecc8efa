using System.ClientModel;
using System.Net;
using System.Text.Json;
using AiPlatform.Core.Common;
using Microsoft.SemanticKernel;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace AiPlatform.Core.AI;

/// <summary>
/// Turns what a failed provider call throws (Semantic Kernel, the OpenAI SDK, HttpClient, the resilience pipeline)
/// into the API's <see cref="DomainException"/>: 503 <c>AI_SERVICE_UNAVAILABLE</c> when the provider could not be
/// reached or kept failing, 502 when it answered something unusable. Messages name the provider and what went
/// wrong, never a key, a URL or the upstream body (which may echo the request).
/// </summary>
public static class AiFailures
{
    /// <summary>The domain failure for <paramref name="exception"/>, or null when it isn't a provider failure.</summary>
    /// <remarks>
    /// A cancellation is read as a timeout, so a caller whose own token was cancelled must not ask
    /// (<c>catch (...) when (!cancellationToken.IsCancellationRequested)</c>).
    /// </remarks>
    public static DomainException? ToDomainException(Exception exception, string provider)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var failure = e switch
            {
                DomainException => null,
                BrokenCircuitException => Unavailable(provider, "failed repeatedly and is not being called for a short while"),
                TimeoutRejectedException or OperationCanceledException => Unavailable(provider, "did not answer in time"),
                HttpOperationException { StatusCode: { } status } => FromStatus(provider, (int)status),
                ClientResultException { Status: > 0 and var status } => FromStatus(provider, status),
                HttpRequestException => Unavailable(provider, "could not be reached"),
                JsonException => Malformed(provider),
                IOException => Unavailable(provider, "dropped the connection"),
                _ => null,
            };
            if (failure is not null)
            {
                return failure;
            }
        }

        return null;
    }

    private static DomainException Malformed(string provider) =>
        new((int)HttpStatusCode.BadGateway, ErrorCodes.AiServiceUnavailable,
            $"The AI provider '{provider}' sent a malformed answer that could not be read. Try again; if it persists, check the provider.");

    private static DomainException FromStatus(string provider, int status) => status switch
    {
        (int)HttpStatusCode.TooManyRequests => Unavailable(provider, "is rate limiting the platform and kept doing so after retries"),
        >= 500 or (int)HttpStatusCode.RequestTimeout => Unavailable(provider, $"kept failing (HTTP {status})"),
        (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden =>
            Unavailable(provider, $"refused the platform's credentials (HTTP {status}); an administrator must check its API key"),
        _ => new DomainException((int)HttpStatusCode.BadGateway, ErrorCodes.AiServiceUnavailable,
            $"The AI provider '{provider}' rejected the request (HTTP {status})."),
    };

    private static DomainException Unavailable(string provider, string what) =>
        new((int)HttpStatusCode.ServiceUnavailable, ErrorCodes.AiServiceUnavailable,
            $"The AI provider '{provider}' {what}. Try again later.");
}
