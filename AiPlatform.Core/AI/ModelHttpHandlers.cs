using System.Net.Http.Headers;
using System.Text.Json;

namespace AiPlatform.Core.AI;

/// <summary>Azure OpenAI authenticates with an <c>api-key</c> header; the bearer token the connector adds must not go along.</summary>
internal sealed class AzureApiKeyHandler(string apiKey) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = null;
        request.Headers.Remove("api-key");
        request.Headers.TryAddWithoutValidation("api-key", apiKey);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// Reads a plain (JSON) answer whole inside the resilience pipeline, and checks that a chat completion has choices.
/// The OpenAI SDK sends every request with ResponseHeadersRead and, given our HttpClient, has no network timeout of its
/// own, so otherwise a body that stalls after the headers would hang outside every timeout; and it reads a completion
/// without choices as an empty one, on which Semantic Kernel fails with an index error that says nothing of the
/// provider. A streamed answer (text/event-stream) passes through as a stream: the pipeline is done with it once its
/// headers are in.
/// </summary>
internal sealed class JsonAnswerHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.Content.Headers.ContentType is MediaTypeHeaderValue { MediaType: "text/event-stream" })
        {
            return response;
        }

        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            if (response.IsSuccessStatusCode && request.RequestUri?.AbsolutePath.EndsWith("/chat/completions", StringComparison.Ordinal) == true)
            {
                EnsureChoices(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            }

            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private static void EnsureChoices(byte[] body)
    {
        using var completion = JsonDocument.Parse(body);
        if (completion.RootElement.ValueKind != JsonValueKind.Object
            || !completion.RootElement.TryGetProperty("choices", out var choices)
            || choices.ValueKind != JsonValueKind.Array
            || choices.GetArrayLength() == 0)
        {
            throw new JsonException("The chat completion has no choices.");
        }
    }
}
