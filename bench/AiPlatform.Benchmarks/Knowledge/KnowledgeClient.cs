using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace AiPlatform.Benchmarks.Knowledge;

/// <summary>The documents and knowledge-search API as a benchmark client uses it.</summary>
public sealed class KnowledgeClient(HttpClient client)
{
    public async Task<Guid> UploadAsync(string fileName, byte[] content, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        using var response = await client.PostAsync("api/v1/documents", form, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid()
            : throw new InvalidOperationException($"Upload of {fileName} answered {(int)response.StatusCode}: {body}");
    }

    public async Task<JsonElement> GetDocumentAsync(Guid id, CancellationToken cancellationToken) =>
        await client.GetFromJsonAsync<JsonElement>($"api/v1/documents/{id}", cancellationToken);

    /// <summary>
    /// Polls until every document is PROCESSED (throws on ERROR); returns their final JSON. One document at a time, so
    /// the polling (a request per interval) takes little of the CPU the pipeline it waits for runs on.
    /// </summary>
    public async Task<List<JsonElement>> WaitProcessedAsync(IReadOnlyList<Guid> ids, TimeSpan poll, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new List<JsonElement>();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var id in ids)
        {
            while (true)
            {
                var document = await GetDocumentAsync(id, cancellationToken);
                var status = document.GetProperty("status").GetString();
                if (status == "PROCESSED")
                {
                    done.Add(document);
                    break;
                }

                if (status == "ERROR")
                {
                    throw new InvalidOperationException($"Document {id} failed: {document.GetProperty("error")}");
                }

                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"{ids.Count - done.Count} documents not processed after {timeout}.");
                }
                await Task.Delay(poll, cancellationToken);
            }
        }
        return done;
    }

    public async Task<JsonElement[]> SearchAsync(string query, int topK, CancellationToken cancellationToken)
    {
        using var response = await client.PostAsJsonAsync("api/v1/knowledge/search", new { query, topK }, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? JsonDocument.Parse(body).RootElement.EnumerateArray().ToArray()
            : throw new InvalidOperationException($"Search answered {(int)response.StatusCode}: {body}");
    }
}
