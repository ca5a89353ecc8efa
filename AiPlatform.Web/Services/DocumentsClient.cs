using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace AiPlatform.Web.Services;

public sealed class DocumentsClient(HttpClient httpClient)
{
    /// <summary>The newest <paramref name="pageSize"/> documents.</summary>
    public Task<PagedResult<DocumentSummary>> ListAsync(int pageSize = 50, CancellationToken cancellationToken = default) =>
        httpClient.GetAsync<PagedResult<DocumentSummary>>($"api/v1/documents?pageSize={pageSize}", cancellationToken);

    /// <summary>
    /// Uploads a file, linked to <paramref name="assistantId"/> if given (that assistant then answers from it); the API
    /// answers at once (202) and the Worker processes it.
    /// </summary>
    public async Task<DocumentSummary> UploadAsync(
        Stream content, string fileName, string contentType, Guid? assistantId = null, CancellationToken cancellationToken = default)
    {
        using var form = new MultipartFormDataContent();
        var file = new StreamContent(content);
        file.Headers.ContentType = MediaTypeHeaderValue.TryParse(contentType, out var type) ? type : new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        if (assistantId is { } id)
        {
            form.Add(new StringContent(id.ToString()), "assistantIds");
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/v1/documents") { Content = form };
        using var response = await httpClient.SendApiAsync(request, cancellationToken);
        return await response.ReadAsync<DocumentSummary>(cancellationToken);
    }

    /// <summary>Sets the assistants that answer from the document (none: it is only searchable).</summary>
    public async Task<DocumentSummary> LinkAssistantsAsync(Guid id, IReadOnlyList<Guid> assistantIds, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"api/v1/documents/{id}/assistants") { Content = JsonContent.Create(new { assistantIds }) };
        using var response = await httpClient.SendApiAsync(request, cancellationToken);
        return await response.ReadAsync<DocumentSummary>(cancellationToken);
    }

    public async Task DeleteAsync(Guid id, CancellationToken cancellationToken = default)
    {
        using var response = await httpClient.SendApiAsync(new HttpRequestMessage(HttpMethod.Delete, $"api/v1/documents/{id}"), cancellationToken);
    }
}

public static class DocumentStatuses
{
    public const string Uploaded = "UPLOADED";
    public const string Processing = "PROCESSING";
    public const string Processed = "PROCESSED";
    public const string Error = "ERROR";

    /// <summary>Still in the Worker's hands: the list keeps refreshing while one is.</summary>
    public static bool IsPending(string status) => status is Uploaded or Processing;
}

public sealed record DocumentSummary(
    Guid Id, string Filename, string Type, string Status, long Size, int ChunkCount, int? PageCount, DocumentProgress Progress, DateTime UploadedAt,
    IReadOnlyList<Guid> AssistantIds);

public sealed record DocumentProgress(int Done, int Total);
