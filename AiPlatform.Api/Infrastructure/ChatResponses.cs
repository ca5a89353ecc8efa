using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using AiPlatform.Api.Apis;
using AiPlatform.Core.Conversations;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Answers a prepared chat turn in the form the client asked for: JSON once the reply is stored, or, for
/// <c>Accept: text/event-stream</c>, Server-Sent Events as the model writes: <c>message.created</c>, <c>citation</c> for
/// each passage the reply is grounded on (as soon as it is retrieved), <c>delta</c>…, <c>usage</c>, <c>done</c> — or
/// <c>error</c> with the envelope when the model fails mid-way.
/// </summary>
public static class ChatResponses
{
    public const string EventStream = "text/event-stream";

    public static bool WantsEventStream(this HttpRequest request) =>
        request.Headers.Accept.Any(value => value?.Contains(EventStream, StringComparison.OrdinalIgnoreCase) == true);

    public static IResult Stream(ChatService chat, PreparedChatTurn turn, HttpContext httpContext) =>
        TypedResults.ServerSentEvents(Events(chat, turn, httpContext, httpContext.RequestAborted));

    private static async IAsyncEnumerable<SseItem<object>> Events(
        ChatService chat, PreparedChatTurn turn, HttpContext httpContext, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var update in chat.StreamAsync(turn, cancellationToken))
        {
            switch (update)
            {
                case ChatTurnStarted { UserMessage: var userMessage }:
                    yield return new SseItem<object>(
                        new MessageCreatedEvent(userMessage is null ? null : MessageResponse.From(userMessage), turn.AssistantMessageId),
                        "message.created");
                    break;
                case ChatTurnDelta delta:
                    yield return new SseItem<object>(new DeltaEvent(delta.Text), "delta");
                    break;
                case ChatTurnCitation citation:
                    yield return new SseItem<object>(citation.Source, "citation");
                    break;
                case ChatTurnCompleted { Result: var result }:
                    yield return new SseItem<object>(UsageEvent.From(result), "usage");
                    yield return new SseItem<object>(new DoneEvent(result.AssistantMessageId, result.FinishReason), "done");
                    break;
                case ChatTurnFailed failed:
                    var error = ApiError.FromDomain(failed.Error);
                    yield return new SseItem<object>(
                        new ErrorEnvelope(new ErrorBody(error.Code, error.Message, error.Details), httpContext.TraceIdentifier), "error");
                    break;
            }
        }
    }
}

public sealed record MessageCreatedEvent(MessageResponse? UserMessage, Guid AssistantMessageId);

public sealed record DeltaEvent(string Text);

public sealed record UsageEvent(int PromptTokens, int CompletionTokens, int TotalTokens, decimal Cost)
{
    public static UsageEvent From(ChatTurnResult result) =>
        new(result.Usage.PromptTokens, result.Usage.CompletionTokens, result.Usage.TotalTokens, result.Cost);
}

public sealed record DoneEvent(Guid MessageId, string? FinishReason);
