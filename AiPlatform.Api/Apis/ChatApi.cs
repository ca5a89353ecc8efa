using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Data;
using FluentValidation;

namespace AiPlatform.Api.Apis;

/// <summary>
/// <c>POST /ai/chat</c>: a one-shot call to a model, with no assistant; given a <c>conversationId</c> it is a turn of
/// that conversation (with the overrides applied). Streams like a conversation turn.
/// </summary>
public static class ChatApi
{
    public static RouteGroupBuilder MapChatApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/ai").WithTags("Chat");
        api.MapPost("/chat", Chat);
        return api;
    }

    public static async Task<IResult> Chat(
        OneShotChatRequest request, ClaimsPrincipal principal, HttpContext httpContext, AppDbContext db,
        ConversationTurnReader turns, ChatService chat, CancellationToken cancellationToken)
    {
        var spec = new ChatTurnSpec(db.Tenant.RequiredTenantId, principal.UserId(), request.Message!);
        if (request.ConversationId is { } conversationId)
        {
            if (await turns.FindAsync(conversationId, principal.UserId(), request.Message!, cancellationToken) is not { } turnOfConversation)
            {
                return ApiError.NotFound("Conversation");
            }

            spec = turnOfConversation;
        }

        var turn = await chat.PrepareAsync(
            spec with { ModelOverride = request.Model, TemperatureOverride = request.Temperature, MaxTokensOverride = request.MaxTokens },
            cancellationToken);
        if (httpContext.Request.WantsEventStream())
        {
            return ChatResponses.Stream(chat, turn, httpContext);
        }

        var result = await chat.CompleteAsync(turn, cancellationToken);
        return TypedResults.Ok(new OneShotChatResponse(result.AssistantMessageId, result.Content, turn.Model.Id,
            UsageEvent.From(result), result.Cost, result.LatencyMs, result.FinishReason, request.ConversationId));
    }
}

public sealed record OneShotChatRequest(string? Message, string? Model, double? Temperature, int? MaxTokens, Guid? ConversationId);

public sealed record OneShotChatResponse(
    Guid Id, string Message, string Model, UsageEvent Usage, decimal CreditsConsumed, long LatencyMs, string? FinishReason, Guid? ConversationId);

public sealed class OneShotChatRequestValidator : AbstractValidator<OneShotChatRequest>
{
    public OneShotChatRequestValidator(Core.AI.ModelCatalog catalog)
    {
        RuleFor(r => r.Message).ChatMessage();
        RuleFor(r => r.Model).Must(m => m is null || catalog.TryGet(m, out _))
            .WithMessage(r => $"'{r.Model}' is not an available model; GET /api/v1/models lists them.");
        RuleFor(r => r.Temperature).InclusiveBetween(0, 2).WithMessage("Temperature must be between 0 and 2.");
        RuleFor(r => r.MaxTokens).GreaterThanOrEqualTo(1).WithMessage("maxTokens must be at least 1.");
    }
}
