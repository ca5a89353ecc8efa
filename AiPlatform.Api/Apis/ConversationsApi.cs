using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Common;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

/// <summary>A user's conversations: each is private to the member who started it.</summary>
public static class ConversationsApi
{
    public const int DefaultRecentMessages = 50;
    public const int MaxRecentMessages = 200;

    public static RouteGroupBuilder MapConversationsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/conversations").WithTags("Conversations");
        api.MapGet("/", ListConversations);
        api.MapPost("/", CreateConversation);
        api.MapPost("/{id:guid}/messages", PostMessage);
        api.MapGet("/{id:guid}", GetConversation);
        api.MapGet("/{id:guid}/messages", ListMessages);
        api.MapPut("/{id:guid}", RenameConversation);
        api.MapPut("/{id:guid}/close", CloseConversation);
        api.MapDelete("/{id:guid}", DeleteConversation);
        return api;
    }

    /// <summary>The caller's own conversations; everyone else's, even in the same tenant, do not exist for them.</summary>
    public static IQueryable<Conversation> OwnedBy(this IQueryable<Conversation> conversations, ClaimsPrincipal principal)
    {
        var userId = principal.UserId();
        return conversations.Where(c => c.UserId == userId);
    }

    public static async Task<Ok<PagedResult<ConversationResponse>>> ListConversations(
        [AsParameters] ConversationListQuery query, ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        var conversations = db.Conversations.AsNoTracking().OwnedBy(principal);
        if (ApiEnum.Parse<ConversationStatus>(query.Status) is { } status)
        {
            conversations = conversations.Where(c => c.Status == status);
        }

        if (query.AssistantId is { } assistantId)
        {
            conversations = conversations.Where(c => c.AssistantId == assistantId);
        }

        if (query.DateFrom is { } from)
        {
            conversations = conversations.Where(c => c.CreatedAt >= from.ToUniversalTime());
        }

        if (query.DateTo is { } to)
        {
            conversations = conversations.Where(c => c.CreatedAt <= to.ToUniversalTime());
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim();
            conversations = conversations.Where(c =>
                EF.Functions.ILike(c.Title, $"%{search}%")
                || db.Messages.Any(m => m.ConversationId == c.Id
                    && m.SearchVector.Matches(EF.Functions.WebSearchToTsQuery("english", search))));
        }

        var page = await conversations
            .OrderByDescending(c => c.LastMessageAt ?? c.CreatedAt).ThenByDescending(c => c.Id)
            .Select(ConversationResponse.Projection)
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(page);
    }

    /// <summary>Starts a conversation with an assistant; an initial message runs the first turn (JSON or streamed).</summary>
    public static async Task<IResult> CreateConversation(
        CreateConversationRequest request, ClaimsPrincipal principal, HttpContext httpContext, AppDbContext db, ChatService chat,
        TimeProvider clock, CancellationToken cancellationToken)
    {
        var assistant = await db.Assistants.AsNoTracking().SingleOrDefaultAsync(a => a.Id == request.AssistantId, cancellationToken);
        if (assistant is null)
        {
            return ApiError.NotFound("Assistant");
        }

        if (assistant.Status == AssistantStatus.Inactive)
        {
            return ApiError.FromDomain(DomainException.Conflict("This assistant is inactive; activate it to chat with it."));
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var conversation = new Conversation
        {
            TenantId = assistant.TenantId,
            AssistantId = assistant.Id,
            UserId = principal.UserId(),
            Title = request.Title?.Trim() is { Length: > 0 } title ? title : TitleFrom(request.InitialMessage),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancellationToken);

        if (string.IsNullOrWhiteSpace(request.InitialMessage))
        {
            return TypedResults.Created($"/api/v1/conversations/{conversation.Id}", ConversationResponse.From(conversation));
        }

        var turn = await chat.PrepareAsync(
            new ChatTurnSpec(conversation.TenantId, conversation.UserId, request.InitialMessage, assistant, conversation), cancellationToken);
        if (httpContext.Request.WantsEventStream())
        {
            return ChatResponses.Stream(chat, turn, httpContext);
        }

        var result = await chat.CompleteAsync(turn, cancellationToken);
        var created = await db.Conversations.AsNoTracking().Where(c => c.Id == conversation.Id).Select(ConversationResponse.Projection)
            .SingleAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/conversations/{conversation.Id}",
            new ConversationStarted(created, MessageResponse.From(turn.UserMessage!), MessageResponse.From(result.AssistantMessage!)));
    }

    /// <summary>One turn: the user's message is stored, the assistant's reply comes back as JSON or as a stream.</summary>
    public static async Task<IResult> PostMessage(
        Guid id, PostMessageRequest request, ClaimsPrincipal principal, HttpContext httpContext, ConversationTurnStarter turns,
        ChatService chat, CancellationToken cancellationToken)
    {
        var streamed = httpContext.Request.WantsEventStream();
        if (await turns.PrepareAsync(id, principal.UserId(), request.Content!, streamed, cancellationToken) is not { } turn)
        {
            return ApiError.NotFound("Conversation");
        }

        if (streamed)
        {
            return ChatResponses.Stream(chat, turn, httpContext);
        }

        var result = await chat.CompleteAsync(turn, cancellationToken);
        return TypedResults.Ok(new TurnResponse(MessageResponse.From(turn.UserMessage!), MessageResponse.From(result.AssistantMessage!)));
    }

    private static string TitleFrom(string? initialMessage)
    {
        const int length = 60;
        var text = initialMessage?.Trim().ReplaceLineEndings(" ");
        return string.IsNullOrEmpty(text) ? "New conversation" : text.Length <= length ? text : text[..length].TrimEnd() + "…";
    }

    public static async Task<Results<Ok<ConversationDetail>, ApiError>> GetConversation(
        Guid id, [AsParameters] MessageWindowQuery window, ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.AsNoTracking().OwnedBy(principal).Where(c => c.Id == id)
            .Select(ConversationResponse.Projection).SingleOrDefaultAsync(cancellationToken);
        if (conversation is null)
        {
            return ApiError.NotFound("Conversation");
        }

        var messages = await LoadMessageWindowAsync(db, id, window, cancellationToken);
        return TypedResults.Ok(new ConversationDetail(conversation, messages));
    }

    public static async Task<Results<Ok<MessageWindow>, ApiError>> ListMessages(
        Guid id, [AsParameters] MessageWindowQuery window, ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        if (!await db.Conversations.OwnedBy(principal).AnyAsync(c => c.Id == id, cancellationToken))
        {
            return ApiError.NotFound("Conversation");
        }

        return TypedResults.Ok(await LoadMessageWindowAsync(db, id, window, cancellationToken));
    }

    /// <summary>The newest <c>limit</c> messages before the cursor, oldest first; <c>nextCursor</c> pages further back.</summary>
    private static async Task<MessageWindow> LoadMessageWindowAsync(
        AppDbContext db, Guid conversationId, MessageWindowQuery window, CancellationToken cancellationToken)
    {
        var limit = window.Limit ?? DefaultRecentMessages;
        var messages = db.Messages.AsNoTracking().Where(m => m.ConversationId == conversationId);
        if (window.Before is { } before)
        {
            messages = messages.Where(m => m.Id.CompareTo(before) < 0);
        }

        var newestFirst = await messages.OrderByDescending(m => m.Id).Take(limit + 1)
            .Select(MessageResponse.Projection).ToListAsync(cancellationToken);
        var hasMore = newestFirst.Count > limit;
        var items = newestFirst.Take(limit).Reverse().ToList();
        return new MessageWindow(items, hasMore, hasMore ? items[0].Id : null);
    }

    public static async Task<Results<Ok<ConversationResponse>, ApiError>> RenameConversation(
        Guid id, RenameConversationRequest request, ClaimsPrincipal principal, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.OwnedBy(principal).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null)
        {
            return ApiError.NotFound("Conversation");
        }

        conversation.Title = request.Title!.Trim();
        conversation.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ConversationResponse.From(conversation));
    }

    public static async Task<Results<Ok<ConversationResponse>, ApiError>> CloseConversation(
        Guid id, CloseConversationRequest request, ClaimsPrincipal principal, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.OwnedBy(principal).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null)
        {
            return ApiError.NotFound("Conversation");
        }

        if (conversation.Status != ConversationStatus.Active)
        {
            return ApiError.FromDomain(DomainException.Conflict("Only an active conversation can be closed."));
        }

        conversation.Status = ConversationStatus.Closed;
        conversation.CloseReason = request.Reason;
        conversation.Summary = request.Summary;
        conversation.Rating = request.Rating;
        conversation.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(ConversationResponse.From(conversation));
    }

    public static async Task<Results<NoContent, ApiError>> DeleteConversation(
        Guid id, ClaimsPrincipal principal, AppDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Conversations.OwnedBy(principal).Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? ApiError.NotFound("Conversation") : TypedResults.NoContent();
    }
}

public sealed record ConversationResponse(
    Guid Id, Guid AssistantId, string Title, ConversationStatus Status, int MessageCount, string? CloseReason, string? Summary,
    int? Rating, DateTime CreatedAt, DateTime UpdatedAt, DateTime? LastMessageAt)
{
    public static readonly System.Linq.Expressions.Expression<Func<Conversation, ConversationResponse>> Projection = c =>
        new ConversationResponse(c.Id, c.AssistantId, c.Title, c.Status, c.MessageCount, c.CloseReason, c.Summary, c.Rating,
            c.CreatedAt, c.UpdatedAt, c.LastMessageAt);

    private static readonly Func<Conversation, ConversationResponse> Compiled = Projection.Compile();

    public static ConversationResponse From(Conversation conversation) => Compiled(conversation);
}

public sealed record MessageResponse(
    Guid Id, MessageRole Role, string Content, MessageStatus Status, string? Model, int? PromptTokens, int? CompletionTokens,
    long? LatencyMs, string? FinishReason, MessageError? Error, IReadOnlyList<MessageSource> Sources, DateTime CreatedAt)
{
    public static readonly System.Linq.Expressions.Expression<Func<Message, MessageResponse>> Projection = m =>
        new MessageResponse(m.Id, m.Role, m.Content, m.Status, m.Model, m.PromptTokens, m.CompletionTokens, m.LatencyMs,
            m.FinishReason, m.Error, m.Sources, m.CreatedAt);

    private static readonly Func<Message, MessageResponse> Compiled = Projection.Compile();

    public static MessageResponse From(Message message) => Compiled(message);
}

public sealed record MessageWindow(IReadOnlyList<MessageResponse> Items, bool HasMore, Guid? NextCursor);

public sealed record ConversationDetail(ConversationResponse Conversation, MessageWindow Messages);

public sealed record ConversationListQuery(
    int? Page, int? PageSize, string? Status, Guid? AssistantId, string? Search, DateTime? DateFrom, DateTime? DateTo)
    : PageQuery(Page, PageSize);

public sealed record MessageWindowQuery(int? Limit, Guid? Before);

public sealed record RenameConversationRequest(string? Title);

public sealed record CreateConversationRequest(Guid AssistantId, string? Title, string? InitialMessage);

public sealed record PostMessageRequest(string? Content);

public sealed record TurnResponse(MessageResponse UserMessage, MessageResponse AssistantMessage);

public sealed record ConversationStarted(ConversationResponse Conversation, MessageResponse UserMessage, MessageResponse AssistantMessage);

public sealed class CreateConversationRequestValidator : AbstractValidator<CreateConversationRequest>
{
    public CreateConversationRequestValidator()
    {
        RuleFor(r => r.AssistantId).NotEmpty().WithMessage("assistantId is required.");
        RuleFor(r => r.Title).MaximumLength(ConversationLimits.TitleLength)
            .WithMessage($"Title must be at most {ConversationLimits.TitleLength} characters long.");
        RuleFor(r => r.InitialMessage).MaximumLength(ConversationLimits.MessageLength)
            .WithMessage($"The message must be at most {ConversationLimits.MessageLength} characters long.");
    }
}

public sealed class PostMessageRequestValidator : AbstractValidator<PostMessageRequest>
{
    public PostMessageRequestValidator() => RuleFor(r => r.Content).ChatMessage();
}

public static class ChatMessageRules
{
    public static IRuleBuilderOptions<T, string?> ChatMessage<T>(this IRuleBuilder<T, string?> rule) => rule
        .NotEmpty().WithMessage("The message is required.")
        .MaximumLength(ConversationLimits.MessageLength).WithMessage($"The message must be at most {ConversationLimits.MessageLength} characters long.");
}

public sealed record CloseConversationRequest(string? Reason, string? Summary, int? Rating);

public sealed class ConversationListQueryValidator : AbstractValidator<ConversationListQuery>
{
    public ConversationListQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Status).IsApiEnum<ConversationListQuery, ConversationStatus>("status");
        RuleFor(q => q.Search).MaximumLength(200).WithMessage("search must be at most 200 characters long.");
        RuleFor(q => q.DateTo).GreaterThanOrEqualTo(q => q.DateFrom).When(q => q.DateFrom is not null && q.DateTo is not null)
            .WithMessage("dateTo must not be before dateFrom.");
    }
}

public sealed class MessageWindowQueryValidator : AbstractValidator<MessageWindowQuery>
{
    public MessageWindowQueryValidator() =>
        RuleFor(q => q.Limit).InclusiveBetween(1, ConversationsApi.MaxRecentMessages)
            .WithMessage($"limit must be between 1 and {ConversationsApi.MaxRecentMessages}.");
}

public sealed class RenameConversationRequestValidator : AbstractValidator<RenameConversationRequest>
{
    public RenameConversationRequestValidator() =>
        RuleFor(r => r.Title).NotEmpty().WithMessage("Title is required.")
            .MaximumLength(ConversationLimits.TitleLength).WithMessage($"Title must be at most {ConversationLimits.TitleLength} characters long.");
}

public sealed class CloseConversationRequestValidator : AbstractValidator<CloseConversationRequest>
{
    public CloseConversationRequestValidator()
    {
        RuleFor(r => r.Reason).MaximumLength(ConversationLimits.CloseReasonLength)
            .WithMessage($"Reason must be at most {ConversationLimits.CloseReasonLength} characters long.");
        RuleFor(r => r.Summary).MaximumLength(ConversationLimits.SummaryLength)
            .WithMessage($"Summary must be at most {ConversationLimits.SummaryLength} characters long.");
        RuleFor(r => r.Rating).InclusiveBetween(1, 5).WithMessage("Rating must be between 1 and 5.");
    }
}
