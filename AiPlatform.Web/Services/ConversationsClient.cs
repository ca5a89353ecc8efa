using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace AiPlatform.Web.Services;

public sealed class ConversationsClient(HttpClient httpClient)
{
    public const int RecentMessages = 50;

    public Task<PagedResult<Conversation>> ListAsync(Guid? assistantId, CancellationToken cancellationToken = default)
    {
        var uri = QueryHelpers.AddQueryString("api/v1/conversations", new Dictionary<string, string?>
        {
            ["pageSize"] = "50",
            ["assistantId"] = assistantId?.ToString(),
        });
        return httpClient.GetAsync<PagedResult<Conversation>>(uri, cancellationToken);
    }

    public Task<Conversation> CreateAsync(Guid assistantId, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync<Conversation>("api/v1/conversations", new NewConversation(assistantId), cancellationToken);

    /// <summary>The conversation with its most recent <see cref="RecentMessages"/> messages, oldest first.</summary>
    public Task<ConversationDetail> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        httpClient.GetAsync<ConversationDetail>($"api/v1/conversations/{id}?limit={RecentMessages}", cancellationToken);

    /// <summary>
    /// Sends a message and yields the reply as the API streams it (server-sent events). Cancelling stops reading and
    /// drops the connection, which the API stores as a CANCELLED reply with what it had produced.
    /// </summary>
    /// <exception cref="ApiException">
    /// Before the stream starts: the API's error answer (404, 402 INSUFFICIENT_CREDITS, 422, ...), in which case the
    /// message was not stored. Afterwards: the connection broke or the stream could not be read.
    /// </exception>
    public async IAsyncEnumerable<ChatStreamEvent> StreamReplyAsync(
        Guid conversationId, string content, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var request = ApiHttp.Post($"api/v1/conversations/{conversationId}/messages", new NewMessage(content));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        // Headers only: the body is the stream, read as it arrives.
        using var response = await httpClient.SendApiAsync(request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await using var events = SseParser.Create(body, ParseEvent).EnumerateAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

        while (true)
        {
            // C# allows no yield inside a try with a catch, so only the read is guarded.
            bool more;
            try
            {
                more = await events.MoveNextAsync();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is IOException or HttpRequestException)
            {
                throw new ApiException(0, ApiError.Of(ApiError.UnreachableCode, $"The connection to the API broke mid-answer: {ex.Message}"), ex);
            }
            catch (JsonException ex)
            {
                throw ApiHttp.Malformed((int)response.StatusCode, ex);
            }

            if (!more)
            {
                yield break;
            }

            if (events.Current.Data is { } streamEvent)
            {
                yield return streamEvent;
            }
        }
    }

    private static ChatStreamEvent? ParseEvent(string eventType, ReadOnlySpan<byte> data) => eventType switch
    {
        "message.created" => new UserMessageStored(Deserialize<MessageCreatedData>(data).UserMessage),
        "delta" => new ReplyDelta(Deserialize<DeltaData>(data).Text),
        "citation" => new ReplyCitation(Deserialize<MessageSource>(data)),
        "usage" => Deserialize<ReplyUsage>(data),
        "done" => Deserialize<ReplyDone>(data),
        "error" => new ReplyFailed(ApiError.FromEnvelope(Deserialize<ErrorEnvelope>(data))
            ?? throw new JsonException("The error event carries no error envelope.")),
        // Kinds this console does not know yet (a later API may stream tool calls) are skipped, not fatal.
        _ => null,
    };

    private static T Deserialize<T>(ReadOnlySpan<byte> data) =>
        JsonSerializer.Deserialize<T>(data, ApiHttp.Json) ?? throw new JsonException($"The {typeof(T).Name} event is null.");

    private sealed record NewConversation(Guid AssistantId);

    private sealed record NewMessage(string Content);

    private sealed record MessageCreatedData(ChatMessage UserMessage);

    private sealed record DeltaData(string Text);
}

public sealed record Conversation(Guid Id, Guid AssistantId, string Title, string Status, int MessageCount);

public sealed record ConversationDetail(Conversation Conversation, MessageWindow Messages);

/// <param name="HasMore">Older messages exist than the ones here.</param>
public sealed record MessageWindow(IReadOnlyList<ChatMessage> Items, bool HasMore);

public sealed record ChatMessage(
    string Role, string Content, string Status, string? Model, int? PromptTokens, int? CompletionTokens, MessageError? Error,
    IReadOnlyList<MessageSource>? Sources = null);

/// <summary>A document passage a reply is grounded on.</summary>
public sealed record MessageSource(Guid DocumentId, string Filename, int? Page)
{
    public override string ToString() => Page is { } page ? $"{Filename}, page {page}" : Filename;
}

public sealed record MessageError(string Message);

public static class ConversationStatuses
{
    public const string Active = "ACTIVE";
}

public static class MessageRoles
{
    public const string User = "USER";
    public const string Assistant = "ASSISTANT";
}

public static class MessageStatuses
{
    public const string Failed = "FAILED";
    public const string Cancelled = "CANCELLED";
}

/// <summary>One server-sent event of a streamed reply.</summary>
public abstract record ChatStreamEvent;

/// <summary><c>message.created</c>: the user's message is stored; from here on the turn counts.</summary>
public sealed record UserMessageStored(ChatMessage Message) : ChatStreamEvent;

/// <summary><c>delta</c>: the next piece of the reply's text.</summary>
public sealed record ReplyDelta(string Text) : ChatStreamEvent;

/// <summary><c>citation</c>: a document passage the reply is grounded on.</summary>
public sealed record ReplyCitation(MessageSource Source) : ChatStreamEvent;

/// <summary><c>usage</c>: what the reply cost.</summary>
public sealed record ReplyUsage(int PromptTokens, int CompletionTokens, decimal Cost) : ChatStreamEvent;

/// <summary><c>done</c>: the reply is complete and stored under <paramref name="MessageId"/>.</summary>
public sealed record ReplyDone(Guid MessageId) : ChatStreamEvent;

/// <summary><c>error</c>: the reply failed mid-stream; the API stored it as FAILED.</summary>
public sealed record ReplyFailed(ApiError Error) : ChatStreamEvent;
