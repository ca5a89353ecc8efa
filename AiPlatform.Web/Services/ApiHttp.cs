using System.Text.Json;
using System.Text.Json.Serialization;
using Polly;

namespace AiPlatform.Web.Services;

/// <summary>How the console's typed clients talk to the API: its JSON conventions, and failures as <see cref="ApiException"/>.</summary>
internal static class ApiHttp
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // An optional field the user left empty is omitted, so the API applies its own default.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<T> GetAsync<T>(this HttpClient http, string uri, CancellationToken cancellationToken)
    {
        using var response = await http.SendApiAsync(new HttpRequestMessage(HttpMethod.Get, uri), cancellationToken);
        return await response.ReadAsync<T>(cancellationToken);
    }

    public static async Task<T> PostAsync<T>(this HttpClient http, string uri, object body, CancellationToken cancellationToken)
    {
        using var response = await http.SendApiAsync(Post(uri, body), cancellationToken);
        return await response.ReadAsync<T>(cancellationToken);
    }

    public static async Task PostAsync(this HttpClient http, string uri, object body, CancellationToken cancellationToken)
    {
        using var response = await http.SendApiAsync(Post(uri, body), cancellationToken);
    }

    public static HttpRequestMessage Post(string uri, object body) =>
        new(HttpMethod.Post, uri) { Content = JsonContent.Create(body, body.GetType(), options: Json) };

    /// <summary>Sends; any answer but a success, and no answer at all, becomes an <see cref="ApiException"/>.</summary>
    public static async Task<HttpResponseMessage> SendApiAsync(
        this HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, completion, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is HttpRequestException or TaskCanceledException or ExecutionRejectedException)
        {
            // Refused connection, no endpoint resolved, timeout, open circuit breaker.
            throw new ApiException(0, ApiError.Of(ApiError.UnreachableCode, $"The API could not be reached: {ex.Message}"), ex);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ApiException.FromResponseAsync(response, cancellationToken);
        }
    }

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken)
                ?? throw new JsonException("The body is null.");
        }
        catch (JsonException ex)
        {
            throw Malformed((int)response.StatusCode, ex);
        }
    }

    public static ApiException Malformed(int statusCode, Exception ex) =>
        new(statusCode, ApiError.Of(ApiError.MalformedResponseCode, $"The API's answer could not be read: {ex.Message}"), ex);
}
