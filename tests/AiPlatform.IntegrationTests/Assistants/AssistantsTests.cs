using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.IntegrationTests.Infrastructure;

namespace AiPlatform.IntegrationTests.Assistants;

[Collection(ApiCollection.Name)]
public sealed class AssistantsTests(ApiFactory factory)
{
    public static async Task<JsonElement> CreateAssistantAsync(HttpClient client, object? body = null)
    {
        var response = await client.PostAsJsonAsync("/api/v1/assistants",
            body ?? new { name = "Helper", systemPrompt = "You help.", model = "local", status = "ACTIVE" });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadJsonAsync();
    }

    [Fact]
    public async Task Assistant_lifecycle_create_get_update_delete()
    {
        var tenant = await factory.CreateTenantAsync();
        var created = await CreateAssistantAsync(tenant.Client, new
        {
            name = "Support bot",
            description = "Answers support questions",
            personality = "Friendly",
            systemPrompt = "You are a support agent.",
            temperature = 0.2,
            maxTokens = 256,
            tools = new[] { "current_time" },
            category = "support",
        });
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("DRAFT", created.GetProperty("status").GetString());
        Assert.Equal("local", created.GetProperty("model").GetString());
        Assert.Equal("current_time", created.GetProperty("tools")[0].GetString());

        var update = await tenant.Client.PutAsJsonAsync($"/api/v1/assistants/{id}", new { status = "ACTIVE", temperature = 1.5 });
        var updated = await update.ReadJsonAsync();
        Assert.Equal("ACTIVE", updated.GetProperty("status").GetString());
        Assert.Equal(1.5, updated.GetProperty("temperature").GetDouble());
        Assert.Equal("Support bot", updated.GetProperty("name").GetString());

        var fetched = await (await tenant.Client.GetAsync($"/api/v1/assistants/{id}")).ReadJsonAsync();
        Assert.Equal("Friendly", fetched.GetProperty("personality").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await tenant.Client.DeleteAsync($"/api/v1/assistants/{id}")).StatusCode);
        await (await tenant.Client.GetAsync($"/api/v1/assistants/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
    }

    [Fact]
    public async Task List_filters_searches_sorts_and_pages()
    {
        var tenant = await factory.CreateTenantAsync();
        await CreateAssistantAsync(tenant.Client, new { name = "Bravo", category = "sales", status = "ACTIVE" });
        await CreateAssistantAsync(tenant.Client, new { name = "Alpha", category = "sales", description = "quarterly numbers" });
        await CreateAssistantAsync(tenant.Client, new { name = "Charlie", category = "support", status = "INACTIVE" });

        var byName = await (await tenant.Client.GetAsync("/api/v1/assistants?sort=name:asc")).ReadJsonAsync();
        Assert.Equal(["Alpha", "Bravo", "Charlie"], byName.GetProperty("items").EnumerateArray().Select(a => a.GetProperty("name").GetString()));

        var sales = await (await tenant.Client.GetAsync("/api/v1/assistants?category=sales&status=ACTIVE")).ReadJsonAsync();
        Assert.Equal("Bravo", sales.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString());

        var search = await (await tenant.Client.GetAsync("/api/v1/assistants?search=QUARTERLY")).ReadJsonAsync();
        Assert.Equal("Alpha", search.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString());

        var paged = await (await tenant.Client.GetAsync("/api/v1/assistants?sort=name:desc&pageSize=2&page=2")).ReadJsonAsync();
        Assert.Equal(3, paged.GetProperty("total").GetInt32());
        Assert.Equal("Alpha", paged.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString());

        await (await tenant.Client.GetAsync("/api/v1/assistants?sort=color:asc")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/assistants?status=SLEEPING")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Invalid_assistants_are_422_naming_each_field()
    {
        var tenant = await factory.CreateTenantAsync();
        var response = await tenant.Client.PostAsJsonAsync("/api/v1/assistants", new
        {
            name = "",
            model = "gpt-imaginary",
            temperature = 2.5,
            maxTokens = 0,
            tools = new[] { "teleport" },
            status = "BROKEN",
        });
        var details = (await response.AssertErrorAsync(422, "VALIDATION_ERROR")).GetProperty("details");
        foreach (var field in new[] { "name", "model", "temperature", "maxTokens", "tools", "status" })
        {
            Assert.True(details.TryGetProperty(field, out _), $"details should name {field}: {details}");
        }

        var assistant = await CreateAssistantAsync(tenant.Client);
        var update = await tenant.Client.PutAsJsonAsync($"/api/v1/assistants/{assistant.GetProperty("id").GetGuid()}", new { model = "nope" });
        await update.AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Members_read_assistants_but_only_admins_change_them()
    {
        var tenant = await factory.CreateTenantAsync();
        var assistant = await CreateAssistantAsync(tenant.Client);
        var id = assistant.GetProperty("id").GetGuid();
        var member = await TestMembers.InviteAndSignInAsync(factory, tenant);

        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/v1/assistants/{id}")).StatusCode);
        await (await member.PostAsJsonAsync("/api/v1/assistants", new { name = "Mine" })).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.PutAsJsonAsync($"/api/v1/assistants/{id}", new { name = "Mine" })).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        await (await member.DeleteAsync($"/api/v1/assistants/{id}")).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
    }

    [Fact]
    public async Task Another_tenants_assistant_is_404_everywhere()
    {
        var owner = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        var id = (await CreateAssistantAsync(owner.Client)).GetProperty("id").GetGuid();

        await (await other.Client.GetAsync($"/api/v1/assistants/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await other.Client.PutAsJsonAsync($"/api/v1/assistants/{id}", new { name = "Stolen" })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await other.Client.DeleteAsync($"/api/v1/assistants/{id}")).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await other.Client.PostAsJsonAsync($"/api/v1/assistants/{id}/test", new { message = "hi" })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await other.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId = id })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        var list = await (await other.Client.GetAsync("/api/v1/assistants")).ReadJsonAsync();
        Assert.Equal(0, list.GetProperty("total").GetInt32());

        Assert.Equal(HttpStatusCode.OK, (await owner.Client.GetAsync($"/api/v1/assistants/{id}")).StatusCode);
    }
}
