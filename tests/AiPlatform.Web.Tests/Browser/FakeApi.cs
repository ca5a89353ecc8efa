using System.Collections.Concurrent;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AiPlatform.Web.Tests.Browser;

/// <summary>
/// A real HTTP server on loopback that answers like the API for the console's first flow: health, sign-in, assistants,
/// models, credits, conversations, and a streamed reply (server-sent events) whose second half waits for the test.
/// </summary>
public sealed class FakeApi : IAsyncDisposable
{
    public const string Email = "ada@example.com";
    public const string Password = "Passw0rd!";
    public const string AccessToken = "access-token";

    /// <summary>The streamed reply: the first pieces arrive on their own, the rest once <see cref="ReleaseReply"/> is called.</summary>
    public static readonly string[] ReplyBeforeRelease = ["Hello", " from", " the"];
    public static readonly string[] ReplyAfterRelease = [" offline", " model."];

    private static readonly TimeSpan DeltaDelay = TimeSpan.FromMilliseconds(150);
    private static readonly Guid UserId = Guid.NewGuid();
    private static readonly Guid TenantId = Guid.NewGuid();

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<Guid, object> _assistants = new();
    private readonly ConcurrentDictionary<Guid, FakeConversation> _conversations = new();
    private readonly TaskCompletionSource _releaseReply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _replyAborted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _healthRequests;
    private volatile bool _healthy = true;

    private FakeApi(WebApplication app) => _app = app;

    public string Url => _app.Urls.Single();

    public bool Healthy
    {
        get => _healthy;
        set => _healthy = value;
    }

    public int HealthRequests => Volatile.Read(ref _healthRequests);

    /// <summary>Completes when a client dropped a streamed reply before its end.</summary>
    public Task ReplyAborted => _replyAborted.Task;

    public void ReleaseReply() => _releaseReply.TrySetResult();

    public static async Task<FakeApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var app = builder.Build();
        var api = new FakeApi(app);
        api.Map(app);
        await app.StartAsync();
        return api;
    }

    public ValueTask DisposeAsync()
    {
        // A reply still waiting must not hold the server's shutdown.
        ReleaseReply();
        return _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.MapGet("/api/v1/health", () =>
        {
            Interlocked.Increment(ref _healthRequests);
            return Healthy
                ? Results.Json(new { status = "Healthy" })
                : Results.Json(new { status = "Unhealthy" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });

        app.MapPost("/api/v1/auth/login", (Credentials body) =>
            body.Email == Email && body.Password == Password
                ? Results.Json(SignedIn())
                : Error(StatusCodes.Status401Unauthorized, "INVALID_CREDENTIALS", "Invalid email or password."));

        var api = app.MapGroup("/api/v1").AddEndpointFilter(async (context, next) =>
            context.HttpContext.Request.Headers.Authorization == $"Bearer {AccessToken}"
                ? await next(context)
                : Error(StatusCodes.Status401Unauthorized, "UNAUTHORIZED", "Authentication is required: send a valid access token."));

        api.MapPost("/auth/logout", () => Results.NoContent());
        api.MapGet("/tenants/current", () => Results.Json(new { id = TenantId, name = "Acme Robotics" }));
        api.MapGet("/credits/balance", () => Results.Json(new { balance = 1000m, currency = "CREDITS", updatedAt = DateTime.UtcNow }));
        api.MapGet("/models", () => Results.Json(Paged(new[]
        {
            new { id = "local", name = "Offline model", provider = "local", maxTokens = 2048, contextWindow = 8192 },
        })));

        api.MapGet("/assistants", () => Results.Json(Paged(_assistants.Values.ToArray())));
        api.MapPost("/assistants", (NewAssistant body) =>
        {
            if (string.IsNullOrWhiteSpace(body.Name))
            {
                return Error(StatusCodes.Status422UnprocessableEntity, "VALIDATION_ERROR", "One or more fields are invalid.",
                    new Dictionary<string, string[]> { ["name"] = ["Name is required."] });
            }

            var assistant = new { id = Guid.NewGuid(), name = body.Name, description = (string?)null, model = body.Model ?? "local", status = body.Status ?? "DRAFT" };
            _assistants[assistant.id] = assistant;
            return Results.Json(assistant, statusCode: StatusCodes.Status201Created);
        });

        api.MapGet("/conversations", () => Results.Json(Paged(_conversations.Values.Select(c => c.Summary()).ToArray())));
        api.MapPost("/conversations", (NewConversation body) =>
        {
            var conversation = new FakeConversation(Guid.NewGuid(), body.AssistantId, "New conversation");
            _conversations[conversation.Id] = conversation;
            return Results.Json(conversation.Summary(), statusCode: StatusCodes.Status201Created);
        });
        api.MapGet("/conversations/{id:guid}", (Guid id) =>
            _conversations.TryGetValue(id, out var conversation)
                ? Results.Json(new { conversation = conversation.Summary(), messages = new { items = conversation.Messages.ToArray(), hasMore = false } })
                : Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_FOUND", "Conversation not found."));
        api.MapPost("/conversations/{id:guid}/messages", (Guid id, NewMessage body, HttpContext http) =>
            !_conversations.TryGetValue(id, out var conversation)
                ? Error(StatusCodes.Status404NotFound, "RESOURCE_NOT_FOUND", "Conversation not found.")
                : !http.Request.Headers.Accept.ToString().Contains("text/event-stream")
                    ? Error(StatusCodes.Status406NotAcceptable, "NOT_ACCEPTABLE", "This fake only streams.")
                    : TypedResults.ServerSentEvents(StreamReplyAsync(conversation, body.Content, http.RequestAborted)));
    }

    private async IAsyncEnumerable<SseItem<object>> StreamReplyAsync(
        FakeConversation conversation, string content, [EnumeratorCancellation] CancellationToken aborted)
    {
        var question = Message("USER", content, "COMPLETED", model: null);
        conversation.Messages.Enqueue(question);
        yield return new(new { userMessage = question }, "message.created");

        var reply = "";
        foreach (var (text, waitFirst) in ReplyBeforeRelease.Select(t => (t, false)).Concat(ReplyAfterRelease.Select((t, i) => (t, i == 0))))
        {
            try
            {
                if (waitFirst)
                {
                    await _releaseReply.Task.WaitAsync(aborted);
                }

                await Task.Delay(DeltaDelay, aborted);
            }
            catch (OperationCanceledException)
            {
                // As the API does: a client that went away leaves a CANCELLED partial answer.
                conversation.Messages.Enqueue(Message("ASSISTANT", reply, "CANCELLED", "local"));
                _replyAborted.TrySetResult();
                yield break;
            }

            reply += text;
            yield return new(new { text }, "delta");
        }

        var answer = Message("ASSISTANT", reply, "COMPLETED", "local");
        conversation.Messages.Enqueue(answer);
        yield return new(new { promptTokens = 12, completionTokens = 5, cost = 0m }, "usage");
        yield return new(new { messageId = answer.Id }, "done");
    }

    private static object SignedIn() => new
    {
        user = new { id = UserId, email = Email, firstName = "Ada", lastName = "Lovelace", role = "TENANT_ADMIN", tenantId = TenantId },
        tokens = new { accessToken = AccessToken, refreshToken = "refresh-token", expiresIn = 900 },
    };

    private static object Paged<T>(IReadOnlyCollection<T> items) =>
        new { items, page = 1, pageSize = 50, total = items.Count, totalPages = 1 };

    private static IResult Error(int status, string code, string message, object? details = null) =>
        Results.Json(new { error = new { code, message, details }, requestId = "fake-request" }, statusCode: status);

    private static FakeMessage Message(string role, string content, string status, string? model) =>
        new(Guid.NewGuid(), role, content, status, model, null, null, null, DateTime.UtcNow);

    private sealed record Credentials(string? Email, string? Password);

    private sealed record NewAssistant(string? Name, string? SystemPrompt, string? Model, string? Status);

    private sealed record NewConversation(Guid AssistantId);

    private sealed record NewMessage(string Content);

    private sealed record FakeMessage(
        Guid Id, string Role, string Content, string Status, string? Model, int? PromptTokens, int? CompletionTokens,
        object? Error, DateTime CreatedAt);

    private sealed record FakeConversation(Guid Id, Guid AssistantId, string Title)
    {
        public ConcurrentQueue<FakeMessage> Messages { get; } = new();

        public object Summary() => new
        {
            id = Id, assistantId = AssistantId, title = Title, status = "ACTIVE", messageCount = Messages.Count,
            createdAt = DateTime.UtcNow, lastMessageAt = (DateTime?)null,
        };
    }
}
