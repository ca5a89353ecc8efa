using System.Net;
using AiPlatform.Web.Components.Pages.Chat;
using AiPlatform.Web.Tests.Support;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Web.Tests.Pages;

public sealed class ChatPageTests : ConsoleTestContext
{
    private static readonly Guid AssistantId = Guid.NewGuid();
    private static readonly Guid ConversationId = Guid.NewGuid();
    private static readonly string MessagesPath = $"/api/v1/conversations/{ConversationId}/messages";

    private readonly List<object> _history = [];

    public ChatPageTests()
    {
        SignIn();
        Api.On(HttpMethod.Get, "/api/v1/assistants", _ => ApiStub.Json(Paged(
                [new { id = AssistantId, name = "Helper", description = (string?)null, model = "local", status = "ACTIVE" }])))
            .On(HttpMethod.Get, "/api/v1/conversations", _ => ApiStub.Json(Paged([Conversation(ConversationId, "First chat")])))
            .On(HttpMethod.Get, $"/api/v1/conversations/{ConversationId}", _ => ApiStub.Json(new
            {
                conversation = Conversation(ConversationId, "First chat"),
                messages = new { items = _history, hasMore = false },
            }));
    }

    [Fact]
    public void Shows_the_history_with_failed_and_cancelled_replies()
    {
        _history.AddRange(
        [
            Message("USER", "Hi", "COMPLETED"),
            Message("ASSISTANT", "", "FAILED", error: new { code = "AI_SERVICE_UNAVAILABLE", message = "The model provider is unavailable." }),
            Message("ASSISTANT", "Half an ans", "CANCELLED"),
            Message("ASSISTANT", "A whole answer.", "COMPLETED", promptTokens: 7, completionTokens: 3),
        ]);

        var page = RenderChat();

        page.WaitForAssertion(() => Assert.Equal(4, page.FindAll("article.message").Count));
        var messages = page.FindAll("article.message");
        Assert.Equal("Failed: The model provider is unavailable.", messages[1].QuerySelector(".message-meta")!.TextContent);
        Assert.Equal("Half an ans", messages[2].QuerySelector(".message-content")!.TextContent);
        Assert.Equal("Stopped. The answer so far is kept.", messages[2].QuerySelector(".message-meta")!.TextContent);
        Assert.Equal("local · 7 prompt + 3 completion tokens", messages[3].QuerySelector(".usage")!.TextContent);
        Assert.Equal("First chat", page.Find("h1").TextContent);
        Assert.Equal("page", page.Find(".conversation-list a.active").GetAttribute("aria-current"));
    }

    [Fact]
    public async Task Streams_the_reply_into_the_page_as_it_arrives()
    {
        var reply = new SseReply();
        Api.On(HttpMethod.Post, MessagesPath, _ => reply.Response());
        var page = RenderChat();

        Send(page, "  Hello there  ");

        var answer = () => page.FindAll("article.message").Last();
        page.WaitForAssertion(() => Assert.Contains("message-sending", page.Find("article.message").ClassName));
        Assert.Equal("Thinking…", answer().QuerySelector(".message-meta")!.TextContent);
        await reply.SendAsync("message.created", new { userMessage = Message("USER", "Hello there", "COMPLETED") });
        page.WaitForAssertion(() => Assert.Contains("message-completed", page.Find("article.message").ClassName));

        var expected = "";
        foreach (var delta in new[] { "Hel", "lo", ", I am", " the offline", " model." })
        {
            await reply.SendAsync("delta", new { text = delta });
            expected += delta;
            page.WaitForAssertion(() => Assert.Equal(expected, answer().QuerySelector(".message-content")!.TextContent));
            Assert.Equal("true", answer().GetAttribute("aria-busy"));
            Assert.NotNull(page.Find("button.button-danger"));
        }

        await reply.SendAsync("usage", new { promptTokens = 12, completionTokens = 5, cost = 0 });
        await reply.SendAsync("done", new { messageId = Guid.NewGuid() });
        await reply.EndAsync();

        page.WaitForAssertion(() => Assert.Equal("Send", page.Find(".composer button").TextContent));
        Assert.Contains("message-completed", answer().ClassName);
        Assert.Equal("Hello, I am the offline model.", answer().QuerySelector(".message-content")!.TextContent);
        Assert.Equal("local · 12 prompt + 5 completion tokens · 0 credits", answer().QuerySelector(".usage")!.TextContent);
        var sent = Assert.Single(Api.RequestsTo(HttpMethod.Post, MessagesPath));
        Assert.Equal("text/event-stream", sent.Accept);
        Assert.Equal("""{"content":"Hello there"}""", sent.Body);
    }

    [Fact]
    public async Task Shows_the_documents_a_reply_cites_as_they_are_retrieved_and_from_history()
    {
        var documentId = Guid.NewGuid();
        _history.Add(new
        {
            role = "ASSISTANT", content = "Earlier answer.", status = "COMPLETED",
            sources = new[] { new { documentId, filename = "policy.docx", chunkId = Guid.NewGuid(), page = (int?)null, relevance = 0.8 } },
        });
        var reply = new SseReply();
        Api.On(HttpMethod.Post, MessagesPath, _ => reply.Response());
        var page = RenderChat();
        page.WaitForAssertion(() => Assert.Equal("Sources: policy.docx", page.Find(".sources").TextContent));

        Send(page, "How do glaciers shape valleys?");
        await reply.SendAsync("message.created", new { userMessage = Message("USER", "How do glaciers shape valleys?", "COMPLETED") });
        foreach (var (pageNumber, chunk) in new[] { (2, Guid.NewGuid()), (2, Guid.NewGuid()), (1, Guid.NewGuid()) })
        {
            await reply.SendAsync("citation", new { documentId, filename = "earth.pdf", chunkId = chunk, page = pageNumber, relevance = 0.5 });
        }
        await reply.SendAsync("delta", new { text = "They grind the rock [1]." });
        await reply.SendAsync("done", new { messageId = Guid.NewGuid() });
        await reply.EndAsync();

        // Two passages of page 2 are one source.
        page.WaitForAssertion(() => Assert.Equal("Sources: earth.pdf, page 2; earth.pdf, page 1", page.FindAll(".sources").Last().TextContent));
    }

    [Fact]
    public async Task Stop_cancels_the_request_and_keeps_the_partial_answer()
    {
        var reply = new SseReply();
        Api.On(HttpMethod.Post, MessagesPath, _ => reply.Response());
        var page = RenderChat();
        Send(page, "Tell me a long story");
        await reply.SendAsync("message.created", new { userMessage = Message("USER", "Tell me a long story", "COMPLETED") });
        await reply.SendAsync("delta", new { text = "Once upon" });
        page.WaitForAssertion(() => Assert.Equal("Once upon", page.FindAll(".message-content").Last().TextContent));

        page.Find("button.button-danger").Click();

        await reply.Released.WaitAsync(TimeSpan.FromSeconds(5));
        page.WaitForAssertion(() => Assert.Contains("message-cancelled", page.FindAll("article.message").Last().ClassName));
        Assert.Equal("Once upon", page.FindAll(".message-content").Last().TextContent);
        Assert.Equal("Stopped. The answer so far is kept.", page.FindAll(".message-meta").Last().TextContent);
        Assert.Equal("Send", page.Find(".composer button").TextContent);
    }

    [Fact]
    public async Task Shows_an_error_event_as_a_failed_reply()
    {
        var reply = new SseReply();
        Api.On(HttpMethod.Post, MessagesPath, _ => reply.Response());
        var page = RenderChat();
        Send(page, "Hi");

        await reply.SendAsync("message.created", new { userMessage = Message("USER", "Hi", "COMPLETED") });
        await reply.SendAsync("delta", new { text = "Let me" });
        await reply.SendAsync("error", new { error = new { code = "AI_SERVICE_UNAVAILABLE", message = "The model provider is unavailable." }, requestId = "r1" });
        await reply.EndAsync();

        page.WaitForAssertion(() => Assert.Contains("message-failed", page.FindAll("article.message").Last().ClassName));
        Assert.Equal("Failed: The model provider is unavailable.", page.Find(".message-error").TextContent);
        Assert.Equal("Let me", page.FindAll(".message-content").Last().TextContent);
    }

    [Fact]
    public void A_message_the_api_refuses_is_given_back()
    {
        Api.On(HttpMethod.Post, MessagesPath, _ => ApiStub.Error(
            HttpStatusCode.PaymentRequired, "INSUFFICIENT_CREDITS", "Your tenant does not have enough credits for this request."));
        var page = RenderChat();

        Send(page, "Hi");

        page.WaitForAssertion(() => Assert.Equal(
            "Your tenant does not have enough credits for this request.", page.Find(".chat-main [role=alert]").TextContent));
        Assert.Empty(page.FindAll("article.message"));
        Assert.Equal("Hi", page.Find("#message").GetAttribute("value"));
    }

    [Fact]
    public void Starts_a_new_conversation_with_the_selected_assistant()
    {
        var created = Guid.NewGuid();
        Api.On(HttpMethod.Post, "/api/v1/conversations", _ => ApiStub.Json(Conversation(created, "New conversation"), HttpStatusCode.Created));
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo($"chat?assistantId={AssistantId}");
        var page = Render<ChatPage>();
        page.WaitForElement(".conversation-list a");

        page.Find(".chat-sidebar button").Click();

        page.WaitForAssertion(() => Assert.Equal($"http://localhost/chat/{created}?assistantId={AssistantId}", navigation.Uri));
        Assert.Equal($$"""{"assistantId":"{{AssistantId}}"}""", Api.RequestsTo(HttpMethod.Post, "/api/v1/conversations")[0].Body);
        Assert.Equal($"?pageSize=50&assistantId={AssistantId}", Api.RequestsTo(HttpMethod.Get, "/api/v1/conversations")[0].Query);
    }

    private IRenderedComponent<ChatPage> RenderChat()
    {
        var page = Render<ChatPage>(p => p.Add(c => c.ConversationId, ConversationId));
        page.WaitForElement("#message");
        return page;
    }

    private static void Send(IRenderedComponent<ChatPage> page, string text)
    {
        page.Find("#message").Input(text);
        page.Find("form.composer").Submit();
    }

    private static object Conversation(Guid id, string title) => new
    {
        id, assistantId = AssistantId, title, status = "ACTIVE", messageCount = 0, createdAt = DateTime.UtcNow, lastMessageAt = (DateTime?)null,
    };

    private static object Message(string role, string content, string status, object? error = null, int? promptTokens = null, int? completionTokens = null) => new
    {
        id = Guid.NewGuid(), role, content, status, model = role == "ASSISTANT" ? "local" : null, promptTokens, completionTokens,
        latencyMs = (long?)null, finishReason = (string?)null, error, createdAt = DateTime.UtcNow,
    };

    private static object Paged(IReadOnlyCollection<object> items) =>
        new { items, page = 1, pageSize = 50, total = items.Count, totalPages = 1 };
}
