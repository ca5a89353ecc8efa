using System.Net.Http.Json;
using System.Text.Json;
using AiPlatform.IntegrationTests.Chat;
using AiPlatform.IntegrationTests.Documents;
using AiPlatform.IntegrationTests.Infrastructure;
using AiPlatform.IntegrationTests.Messaging.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace AiPlatform.IntegrationTests.Knowledge;

/// <summary>
/// Assistants answering from their documents: the offline model with passages retrieved for it, and a tool-calling
/// model (the fake OpenAI server) searching through <c>knowledge_search</c> itself. Both cite their sources.
/// </summary>
[Collection(MessagingCollection.Name)]
public sealed class GroundedChatTests(GroundedChatTests.Fixture fixture) : IClassFixture<GroundedChatTests.Fixture>
{
    public sealed class Fixture : KnowledgeFixture
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            ChatApiFactory.UseFakeProvider(builder, Fake);
        }
    }

    private const string Volcanoes = "Volcanic eruptions release sulfur dioxide that cools the climate for several years.";
    private const string Glaciers = "Glaciers carve deep valleys as the ice slowly grinds the rock beneath it.";

    [Fact]
    public async Task The_offline_model_answers_a_paraphrased_question_from_the_right_page_and_cites_it()
    {
        var tenant = await fixture.CreateTenantAsync();
        var (assistantId, documentId) = await AssistantWithDocumentAsync(tenant.Client, model: null);

        var conversation = await (await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId })).ReadJsonAsync();
        var conversationId = conversation.GetProperty("id").GetGuid();
        var events = await SseReader.ReadAllAsync(await tenant.Client.SendAsync(
            SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "How do frozen rivers shape mountains?" })));

        var citations = events.Where(e => e.Event == "citation").Select(e => e.Data).ToList();
        Assert.NotEmpty(citations);
        var first = citations[0];
        Assert.Equal(documentId, first.GetProperty("documentId").GetGuid());
        Assert.Equal(2, first.GetProperty("page").GetInt32());
        Assert.Equal("earth.pdf", first.GetProperty("filename").GetString());
        Assert.InRange(first.GetProperty("relevance").GetDouble(), 0.01, 1);
        // Citations come before the answer's text.
        Assert.True(events.FindIndex(e => e.Event == "citation") < events.FindIndex(e => e.Event == "delta"));
        var answer = string.Concat(events.Where(e => e.Event == "delta").Select(e => e.Data.GetProperty("text").GetString()));
        Assert.Contains(Glaciers, answer);
        Assert.Contains("[1] earth.pdf, page 2", answer);

        var stored = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync();
        var reply = stored.GetProperty("messages").GetProperty("items").EnumerateArray().Last();
        var source = reply.GetProperty("sources").EnumerateArray().First();
        Assert.Equal(first.GetProperty("chunkId").GetGuid(), source.GetProperty("chunkId").GetGuid());
        Assert.Equal(2, source.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task The_assistant_test_returns_the_sources_in_the_seed_shape()
    {
        var tenant = await fixture.CreateTenantAsync();
        var (assistantId, documentId) = await AssistantWithDocumentAsync(tenant.Client, model: null);

        var result = await (await tenant.Client.PostAsJsonAsync($"/api/v1/assistants/{assistantId}/test",
            new { message = "What do eruptions do to the weather?" })).ReadJsonAsync();

        var source = result.GetProperty("sources").EnumerateArray().First();
        Assert.Equal(documentId, source.GetProperty("documentId").GetGuid());
        Assert.Equal(1, source.GetProperty("page").GetInt32());
        Assert.Equal(["chunkId", "documentId", "filename", "page", "relevance"],
            source.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains(Volcanoes, result.GetProperty("response").GetString());
    }

    [Fact]
    public async Task An_assistant_without_documents_answers_without_sources_and_never_sees_another_tenants()
    {
        var owner = await fixture.CreateTenantAsync();
        await AssistantWithDocumentAsync(owner.Client, model: null);
        var stranger = await fixture.CreateTenantAsync();
        var assistant = await (await stranger.Client.PostAsJsonAsync("/api/v1/assistants", new { name = "Plain" })).ReadJsonAsync();

        var result = await (await stranger.Client.PostAsJsonAsync($"/api/v1/assistants/{assistant.GetProperty("id").GetGuid()}/test",
            new { message = "How do glaciers shape valleys?" })).ReadJsonAsync();

        Assert.Empty(result.GetProperty("sources").EnumerateArray());
        Assert.DoesNotContain("Glaciers carve", result.GetProperty("response").GetString());
    }

    [Fact]
    public async Task A_tool_calling_model_searches_with_knowledge_search_and_the_reply_cites_what_it_found()
    {
        var tenant = await fixture.CreateTenantAsync();
        var (assistantId, documentId) = await AssistantWithDocumentAsync(tenant.Client, ChatApiFactory.Model);
        var conversation = await (await tenant.Client.PostAsJsonAsync("/api/v1/conversations", new { assistantId })).ReadJsonAsync();
        var conversationId = conversation.GetProperty("id").GetGuid();
        var before = fixture.Fake.ChatRequests.Count;
        fixture.Fake.Enqueue(FakeReply.ToolCall("knowledge_search-search", """{"query":"ice shaping valleys"}"""),
            FakeReply.Text("Glaciers grind valleys out of rock [1]."));

        var events = await SseReader.ReadAllAsync(await tenant.Client.SendAsync(
            SseReader.StreamingPost($"/api/v1/conversations/{conversationId}/messages", new { content = "How do frozen rivers shape mountains?" })));

        var requests = fixture.Fake.ChatRequests.Skip(before).ToList();
        Assert.Equal(2, requests.Count);
        var tools = requests[0].Json.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString());
        Assert.Contains("knowledge_search-search", tools);
        // The tool's answer went back to the model: the passage, its number and its page.
        var toolResult = requests[1].Messages.Single(m => m.GetProperty("role").GetString() == "tool").GetProperty("content").GetString()!;
        using (var passages = JsonDocument.Parse(toolResult))
        {
            var top = passages.RootElement[0];
            Assert.Equal(1, top.GetProperty("source").GetInt32());
            Assert.Equal(2, top.GetProperty("page").GetInt32());
            Assert.Contains("Glaciers carve", top.GetProperty("text").GetString());
        }

        var citation = events.First(e => e.Event == "citation").Data;
        Assert.Equal(documentId, citation.GetProperty("documentId").GetGuid());
        Assert.Equal(2, citation.GetProperty("page").GetInt32());
        var done = events.Single(e => e.Event == "done").Data.GetProperty("messageId").GetGuid();
        var stored = await (await tenant.Client.GetAsync($"/api/v1/conversations/{conversationId}")).ReadJsonAsync();
        var reply = stored.GetProperty("messages").GetProperty("items").EnumerateArray().Single(m => m.GetProperty("id").GetGuid() == done);
        Assert.Equal("Glaciers grind valleys out of rock [1].", reply.GetProperty("content").GetString());
        Assert.Equal(citation.GetProperty("chunkId").GetGuid(), reply.GetProperty("sources")[0].GetProperty("chunkId").GetGuid());
    }

    private async Task<(Guid AssistantId, Guid DocumentId)> AssistantWithDocumentAsync(HttpClient client, string? model)
    {
        var assistant = await (await client.PostAsJsonAsync("/api/v1/assistants", new { name = "Geologist", model, status = "ACTIVE" })).ReadJsonAsync();
        var assistantId = assistant.GetProperty("id").GetGuid();
        var pdf = DocumentFixtures.PdfPages(Volcanoes, Glaciers);
        var upload = await client.PostAsync("/api/v1/documents", DocumentFixtures.Form("earth.pdf", pdf, assistantIds: assistantId.ToString()));
        var documentId = (await upload.ReadJsonAsync()).GetProperty("id").GetGuid();
        await KnowledgeFixture.WaitForStatusAsync(client, documentId, "PROCESSED");
        return (assistantId, documentId);
    }
}
