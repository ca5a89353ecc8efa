using System.Security.Claims;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
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

    public static async Task<Results<NoContent, ApiError>> DeleteAssistant(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var deleted = await db.Assistants.Where(a => a.Id == id).ExecuteDeleteAsync(cancellationToken);
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
