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

    /// <summary>Polls until every document is PROCESSED (throws on ERROR); returns their final JSON.</summary>
    public async Task<List<JsonElement>> WaitProcessedAsync(IReadOnlyList<Guid> ids, TimeSpan poll, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var done = new Dictionary<Guid, JsonElement>();
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (done.Count < ids.Count)
        {
            foreach (var id in ids.Where(id => !done.ContainsKey(id)))
            {
                var document = await GetDocumentAsync(id, cancellationToken);
                switch (document.GetProperty("status").GetString())
                {
                    case "PROCESSED":
                        done[id] = document;
                        break;
                    case "ERROR":
                        throw new InvalidOperationException($"Document {id} failed: {document.GetProperty("error")}");
                }
            }

            if (done.Count < ids.Count)
            {
                if (Stopwatch.GetTimestamp() > deadline)
                {
                    throw new TimeoutException($"{ids.Count - done.Count} documents not processed after {timeout}.");
                }
                await Task.Delay(poll, cancellationToken);
            }
        }
        return ids.Select(id => done[id]).ToList();
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
