using AiPlatform.Core.AI;
using AiPlatform.Core.Assistants;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.Core.Conversations;

/// <summary>
/// What one chat turn asks for. With a <see cref="Conversation"/> both messages are stored in it; without one the
/// turn is one-shot (assistant test, <c>/ai/chat</c>) and only its usage is recorded. <paramref name="Preloaded"/> is
/// what <see cref="ConversationTurnReader"/> read along with the conversation, or what <see cref="ConversationTurnCache"/>
/// kept of it (otherwise it is read when the turn is prepared).
/// </summary>
public sealed record ChatTurnSpec(
    Guid TenantId,
    Guid UserId,
    string Content,
    Assistant? Assistant = null,
    Conversation? Conversation = null,
    string? ModelOverride = null,
    double? TemperatureOverride = null,
    int? MaxTokensOverride = null,
    ConversationTurnState? Preloaded = null);

/// <summary>
/// What a turn of a conversation needs besides the conversation and its assistant: the newest messages (oldest first),
/// whether the assistant has indexed documents to ground on, the tenant's credit balance, and the conversation's message
/// count when they were read (every stored message, failed ones included, adds one: it versions the history).
/// </summary>
public sealed record ConversationTurnState(IReadOnlyList<HistoryMessage> History, bool AssistantHasKnowledge, decimal CreditBalance, int MessageCount);

/// <summary>A stored message as the model's history sees it.</summary>
public sealed record HistoryMessage(MessageRole Role, string Content);

/// <summary>
/// A turn whose checks passed: ready to call the model. Its user message (if any) is stored by
/// <see cref="ChatService.StreamAsync"/> or <see cref="ChatService.CompleteAsync"/> alongside the model call.
/// <paramref name="Citations"/> holds the passages retrieved for it so far; <paramref name="KnowledgeTool"/> says the
/// model gets <c>knowledge_search</c> to retrieve more itself. <see cref="Ahead"/> is its streamed model call when
/// <see cref="ConversationTurnStarter"/> started it from cached state and has stored the user's message since.
/// </summary>
public sealed record PreparedChatTurn(
    ChatTurnSpec Spec,
    CatalogModel Model,
    ChatHistory History,
    int MaxTokens,
    double Temperature,
    Message? UserMessage,
    Guid AssistantMessageId,
    Knowledge.Search.KnowledgeCitations Citations,
    bool KnowledgeTool,
    decimal EstimatedCost)
{
    public ModelStream? Ahead { get; init; }
}

/// <summary>How a turn ended: the reply (stored when the turn has a conversation), its usage and cost.</summary>
public sealed record ChatTurnResult(
    Guid AssistantMessageId,
    Message? AssistantMessage,
    string Content,
    ModelUsage Usage,
    decimal Cost,
    long LatencyMs,
    string? FinishReason,
    IReadOnlyList<MessageSource> Sources);

/// <summary>One step of a streamed turn.</summary>
public abstract record ChatTurnUpdate;

/// <summary>The user's message (if the turn has one) is stored, and the model call is under way.</summary>
public sealed record ChatTurnStarted(Message? UserMessage) : ChatTurnUpdate;

public sealed record ChatTurnDelta(string Text) : ChatTurnUpdate;

/// <summary>A passage the reply is grounded on, reported as soon as it was retrieved.</summary>
public sealed record ChatTurnCitation(MessageSource Source) : ChatTurnUpdate;

public sealed record ChatTurnCompleted(ChatTurnResult Result) : ChatTurnUpdate;

/// <summary>The model call failed after the stream began; the failed reply is stored.</summary>
public sealed record ChatTurnFailed(Common.DomainException Error) : ChatTurnUpdate;
