using System.Net.ServerSentEvents;
using System.Text.Json;

namespace AiPlatform.IntegrationTests.Chat;

/// <summary>Reads an API response as Server-Sent Events, the way a browser's EventSource would.</summary>
public static class SseReader
{
    public static async Task<List<(string Event, JsonElement Data)>> ReadAllAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonElement)>();
        await using var stream = await response.Content.ReadAsStreamAsync();
        await foreach (var item in SseParser.Create(stream).EnumerateAsync())
        {
            events.Add((item.EventType, JsonDocument.Parse(item.Data).RootElement.Clone()));
        }

        return events;
    }

    public static HttpRequestMessage StreamingPost(string path, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("text/event-stream");
        return request;
    }
}
