using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AiPlatform.IntegrationTests.Infrastructure;

public static class TestJson
{
    /// <summary>The API's wire format: camelCase, enums as UPPER_SNAKE strings.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>(Options);

    /// <summary>Asserts the response is the error envelope with <paramref name="status"/> and <paramref name="code"/>; returns the error object.</summary>
    public static async Task<JsonElement> AssertErrorAsync(this HttpResponseMessage response, int status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        var error = json.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.True(error.TryGetProperty("details", out _));
        Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("requestId").GetString()));
        return error;
    }
}
