using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AiPlatform.Benchmarks.Infrastructure;

/// <summary>Creates what a benchmark needs through the public API, as a client would: a tenant, assistants, conversations.</summary>
public static class ApiSetup
{
    public const string Password = "Bench-Passw0rd!";

    /// <summary>Registers a tenant with a unique admin; returns a client signed in as that admin (and its access token).</summary>
    public static async Task<(HttpClient Client, string AccessToken)> RegisterTenantAsync(Uri apiBase, string tenantName)
    {
        var (client, token, _) = await RegisterAsync(apiBase, tenantName);
        return (client, token);
    }

    /// <summary>Registers a tenant with a unique admin; returns a client signed in as that admin and the tenant's id.</summary>
    public static async Task<(HttpClient Client, Guid TenantId)> RegisterTenantWithIdAsync(Uri apiBase, string tenantName)
    {
        var (client, _, tenantId) = await RegisterAsync(apiBase, tenantName);
        return (client, tenantId);
    }

    private static async Task<(HttpClient Client, string AccessToken, Guid TenantId)> RegisterAsync(Uri apiBase, string tenantName)
    {
        var client = BenchHttp.CreateClient(apiBase);
        var auth = await PostAsync(client, "api/v1/auth/register", new
        {
            email = $"bench-{Guid.NewGuid():N}@example.test",
            password = Password,
            firstName = "Bench",
            lastName = "Runner",
            tenantName,
        });
        var token = auth.GetProperty("tokens").GetProperty("accessToken").GetString()!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return (client, token, auth.GetProperty("user").GetProperty("tenantId").GetGuid());
    }

    /// <summary>Creates an ACTIVE assistant; returns its id.</summary>
    public static async Task<Guid> CreateAssistantAsync(HttpClient client, string name, string model, string systemPrompt) =>
        (await PostAsync(client, "api/v1/assistants", new { name, systemPrompt, model, status = "ACTIVE" })).GetProperty("id").GetGuid();

    /// <summary>Opens an empty conversation with the assistant; returns its id.</summary>
    public static async Task<Guid> CreateConversationAsync(HttpClient client, Guid assistantId, string title) =>
        (await PostAsync(client, "api/v1/conversations", new { assistantId, title })).GetProperty("id").GetGuid();

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST /{path} answered {(int)response.StatusCode}: {text}");
        }

        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
