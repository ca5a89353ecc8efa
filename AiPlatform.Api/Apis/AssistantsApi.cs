using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.AI;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Common;
using AiPlatform.Core.Conversations;
using AiPlatform.Core.Data;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

public static class AssistantsApi
{
    public static RouteGroupBuilder MapAssistantsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/assistants").WithTags("Assistants");
        api.MapGet("/", ListAssistants);
        api.MapGet("/{id:guid}", GetAssistant);
        api.MapPost("/", CreateAssistant).RequireAuthorization(Policies.TenantAdmin);
        api.MapPut("/{id:guid}", UpdateAssistant).RequireAuthorization(Policies.TenantAdmin);
        api.MapDelete("/{id:guid}", DeleteAssistant).RequireAuthorization(Policies.TenantAdmin);
        api.MapPost("/{id:guid}/test", TestAssistant);
        return api;
    }

    public static async Task<Ok<PagedResult<AssistantResponse>>> ListAssistants(
        [AsParameters] AssistantListQuery query, AppDbContext db, CancellationToken cancellationToken)
    {
        var assistants = db.Assistants.AsNoTracking();
        if (ApiEnum.Parse<AssistantStatus>(query.Status) is { } status)
        {
            assistants = assistants.Where(a => a.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(query.Category))
        {
            assistants = assistants.Where(a => a.Category == query.Category);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var pattern = $"%{query.Search.Trim()}%";
            assistants = assistants.Where(a => EF.Functions.ILike(a.Name, pattern) || EF.Functions.ILike(a.Description!, pattern));
        }

        assistants = query.Sort switch
        {
            "name:asc" => assistants.OrderBy(a => a.Name).ThenBy(a => a.Id),
            "name:desc" => assistants.OrderByDescending(a => a.Name).ThenBy(a => a.Id),
            "createdAt:asc" => assistants.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id),
            _ => assistants.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id),
        };
        var page = await assistants.Select(AssistantResponse.Projection).ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<AssistantResponse>, ApiError>> GetAssistant(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var assistant = await db.Assistants.AsNoTracking().Where(a => a.Id == id).Select(AssistantResponse.Projection)
            .SingleOrDefaultAsync(cancellationToken);
        return assistant is null ? ApiError.NotFound("Assistant") : TypedResults.Ok(assistant);
    }

    public static async Task<Created<AssistantResponse>> CreateAssistant(
        CreateAssistantRequest request, ClaimsPrincipal principal, AppDbContext db, AssistantDefaults defaults, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var assistant = new Assistant
        {
            TenantId = db.Tenant.RequiredTenantId,
            Name = request.Name!.Trim(),
            Model = request.Model ?? defaults.Model,
            CreatedByUserId = principal.UserId(),
            CreatedAt = now,
        };
        request.ApplyTo(assistant, now);
        db.Assistants.Add(assistant);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/assistants/{assistant.Id}", AssistantResponse.From(assistant));
    }

    public static async Task<Results<Ok<AssistantResponse>, ApiError>> UpdateAssistant(
        Guid id, UpdateAssistantRequest request, AppDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var assistant = await db.Assistants.SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (assistant is null)
        {
            return ApiError.NotFound("Assistant");
        }

        request.ApplyTo(assistant, clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(AssistantResponse.From(assistant));
    }

    /// <summary>One turn with the assistant as it is configured now, without creating a conversation (usage is recorded).</summary>
    public static async Task<Results<Ok<AssistantTestResponse>, ApiError>> TestAssistant(
        Guid id, TestAssistantRequest request, ClaimsPrincipal principal, AppDbContext db, ChatService chat, CancellationToken cancellationToken)
    {
        var assistant = await db.Assistants.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, cancellationToken);
        if (assistant is null)
        {
            return ApiError.NotFound("Assistant");
        }

        var turn = await chat.PrepareAsync(new ChatTurnSpec(assistant.TenantId, principal.UserId(), request.Message!, assistant), cancellationToken);
        var result = await chat.CompleteAsync(turn, cancellationToken);
        return TypedResults.Ok(new AssistantTestResponse(result.Content, result.LatencyMs, result.Usage.TotalTokens, result.Cost, turn.Model.Id, result.Sources));
    }

    /// <summary>Deletes the assistant and its conversations, and unlinks it from its documents (which stay).</summary>
    public static async Task<Results<NoContent, ApiError>> DeleteAssistant(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.InTransactionAsync(async ct =>
        {
            await db.Database.ExecuteSqlAsync(
                $"UPDATE documents SET assistant_ids = array_remove(assistant_ids, {id}) WHERE {id} = ANY (assistant_ids)", ct);
            return await db.Assistants.Where(a => a.Id == id).ExecuteDeleteAsync(ct);
        }, cancellationToken);
        return deleted == 0 ? ApiError.NotFound("Assistant") : TypedResults.NoContent();
    }
}

/// <summary>Bound from <c>AI:DefaultModel</c>: the model an assistant gets when none is named.</summary>
public sealed record AssistantDefaults(string Model);

public sealed record AssistantResponse(
    Guid Id, string Name, string? Description, string? Personality, string? SystemPrompt, string Model, double Temperature,
    int? MaxTokens, IReadOnlyList<string> Tools, AssistantStatus Status, string? Category, DateTime CreatedAt, DateTime UpdatedAt)
{
    public static readonly System.Linq.Expressions.Expression<Func<Assistant, AssistantResponse>> Projection = a =>
        new AssistantResponse(a.Id, a.Name, a.Description, a.Personality, a.SystemPrompt, a.Model, a.Temperature,
            a.MaxTokens, a.Tools, a.Status, a.Category, a.CreatedAt, a.UpdatedAt);

    private static readonly Func<Assistant, AssistantResponse> Compiled = Projection.Compile();

    public static AssistantResponse From(Assistant assistant) => Compiled(assistant);
}

public sealed record TestAssistantRequest(string? Message);

/// <param name="ResponseTime">Milliseconds the model took.</param>
/// <summary>The reply to a test message; <c>sources</c> are the document passages it was grounded on.</summary>
public sealed record AssistantTestResponse(
    string Response, long ResponseTime, int TokensUsed, decimal CreditsConsumed, string Model, IReadOnlyList<MessageSource> Sources);

public sealed class TestAssistantRequestValidator : AbstractValidator<TestAssistantRequest>
{
    public TestAssistantRequestValidator() => RuleFor(r => r.Message).ChatMessage();
}

public sealed record AssistantListQuery(int? Page, int? PageSize, string? Status, string? Category, string? Search, string? Sort)
    : PageQuery(Page, PageSize);

/// <summary>The fields both create and update set; on update a null field keeps its value.</summary>
public abstract record AssistantFields(
    string? Name, string? Description, string? Personality, string? SystemPrompt, string? Model, double? Temperature,
    int? MaxTokens, IReadOnlyList<string>? Tools, string? Status, string? Category)
{
    public void ApplyTo(Assistant assistant, DateTime now)
    {
        assistant.Name = Name?.Trim() ?? assistant.Name;
        assistant.Description = Description ?? assistant.Description;
        assistant.Personality = Personality ?? assistant.Personality;
        assistant.SystemPrompt = SystemPrompt ?? assistant.SystemPrompt;
        assistant.Model = Model ?? assistant.Model;
        assistant.Temperature = Temperature ?? assistant.Temperature;
        assistant.MaxTokens = MaxTokens ?? assistant.MaxTokens;
        assistant.Tools = Tools?.ToList() ?? assistant.Tools;
        assistant.Status = ApiEnum.Parse<AssistantStatus>(Status) ?? assistant.Status;
        assistant.Category = Category ?? assistant.Category;
        assistant.UpdatedAt = now;
    }
}

public sealed record CreateAssistantRequest(
    string? Name, string? Description, string? Personality, string? SystemPrompt, string? Model, double? Temperature,
    int? MaxTokens, IReadOnlyList<string>? Tools, string? Status, string? Category)
    : AssistantFields(Name, Description, Personality, SystemPrompt, Model, Temperature, MaxTokens, Tools, Status, Category);

public sealed record UpdateAssistantRequest(
    string? Name, string? Description, string? Personality, string? SystemPrompt, string? Model, double? Temperature,
    int? MaxTokens, IReadOnlyList<string>? Tools, string? Status, string? Category)
    : AssistantFields(Name, Description, Personality, SystemPrompt, Model, Temperature, MaxTokens, Tools, Status, Category);

/// <summary>The rules create and update share; create also requires a name.</summary>
public abstract class AssistantFieldsValidator<T> : AbstractValidator<T> where T : AssistantFields
{
    protected AssistantFieldsValidator(ModelCatalog catalog, ToolRegistry tools)
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name cannot be empty.").When(r => r.Name is not null)
            .MaximumLength(AssistantLimits.NameLength).WithMessage($"Name must be at most {AssistantLimits.NameLength} characters long.");
        RuleFor(r => r.Description).MaximumLength(AssistantLimits.DescriptionLength)
            .WithMessage($"Description must be at most {AssistantLimits.DescriptionLength} characters long.");
        RuleFor(r => r.Personality).MaximumLength(AssistantLimits.PersonalityLength)
            .WithMessage($"Personality must be at most {AssistantLimits.PersonalityLength} characters long.");
        RuleFor(r => r.SystemPrompt).MaximumLength(AssistantLimits.SystemPromptLength)
            .WithMessage($"System prompt must be at most {AssistantLimits.SystemPromptLength} characters long.");
        RuleFor(r => r.Category).MaximumLength(AssistantLimits.CategoryLength)
            .WithMessage($"Category must be at most {AssistantLimits.CategoryLength} characters long.");
        RuleFor(r => r.Model).Must(m => m is null || catalog.TryGet(m, out _))
            .WithMessage(r => $"'{r.Model}' is not an available model; GET /api/v1/models lists them.");
        RuleFor(r => r.Temperature).InclusiveBetween(0, 2).WithMessage("Temperature must be between 0 and 2.");
        RuleFor(r => r.MaxTokens).GreaterThanOrEqualTo(1).WithMessage("maxTokens must be at least 1.")
            .Must((r, maxTokens) => maxTokens is null || r.Model is null || !catalog.TryGet(r.Model, out var model) || maxTokens <= model.MaxOutputTokens)
            .WithMessage(r => $"maxTokens is more than model '{r.Model}' can write.");
        RuleFor(r => r.Tools)
            .Must(t => t is null || t.Count <= AssistantLimits.MaxTools).WithMessage($"At most {AssistantLimits.MaxTools} tools.")
            .Must(t => t is null || t.Distinct().Count() == t.Count).WithMessage("Tools must not repeat.")
            .Must(t => t is null || t.All(tools.Exists))
            .WithMessage($"Unknown tool; available tools: {string.Join(", ", tools.All.Select(t => t.Name).Order())}.");
        RuleFor(r => r.Status).IsApiEnum<T, AssistantStatus>("status");
    }
}

public sealed class CreateAssistantRequestValidator : AssistantFieldsValidator<CreateAssistantRequest>
{
    public CreateAssistantRequestValidator(ModelCatalog catalog, ToolRegistry tools) : base(catalog, tools) =>
        RuleFor(r => r.Name).NotNull().WithMessage("Name is required.");
}

public sealed class UpdateAssistantRequestValidator(ModelCatalog catalog, ToolRegistry tools)
    : AssistantFieldsValidator<UpdateAssistantRequest>(catalog, tools);

public sealed class AssistantListQueryValidator : AbstractValidator<AssistantListQuery>
{
    private static readonly string[] Sorts = ["name:asc", "name:desc", "createdAt:asc", "createdAt:desc"];

    public AssistantListQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Status).IsApiEnum<AssistantListQuery, AssistantStatus>("status");
        RuleFor(q => q.Sort).Must(s => s is null || Sorts.Contains(s)).WithMessage($"sort must be one of: {string.Join(", ", Sorts)}.");
    }
}
