using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Search;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Api.Apis;

/// <summary>Hybrid search over the tenant's processed documents.</summary>
public static class KnowledgeApi
{
    public static RouteGroupBuilder MapKnowledgeApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/knowledge").WithTags("Knowledge");
        api.MapPost("/search", Search);
        return api;
    }

    public static async Task<Results<Ok<IReadOnlyList<KnowledgeSearchResult>>, ApiError>> Search(
        KnowledgeSearchRequest request, AppDbContext db, KnowledgeSearchService search, CancellationToken cancellationToken)
    {
        if (request.AssistantId is { } assistantId && !await db.Assistants.AnyAsync(a => a.Id == assistantId, cancellationToken))
        {
            return ApiError.NotFound("Assistant");
        }

        var hits = await search.SearchAsync(
            new KnowledgeQuery(request.Query!.Trim(), request.TopK ?? KnowledgeSearchRequest.DefaultTopK, request.AssistantId, request.DocumentIds),
            cancellationToken);
        return TypedResults.Ok<IReadOnlyList<KnowledgeSearchResult>>(hits.Select(KnowledgeSearchResult.From).ToList());
    }
}

public sealed record KnowledgeSearchRequest(string? Query, int? TopK, Guid? AssistantId, IReadOnlyList<Guid>? DocumentIds)
{
    public const int DefaultTopK = 5;
    public const int MaxQueryLength = 2000;
    public const int MaxDocumentIds = 100;
}

/// <summary>
/// One passage: <c>score</c> is its reciprocal-rank-fusion score, <c>relevance</c> the same on 0–1; a rank is null when
/// that retriever (full-text, vector) did not find it.
/// </summary>
public sealed record KnowledgeSearchResult(
    Guid DocumentId, string Filename, Guid ChunkId, string Text, int? Page, string? Heading,
    double Score, double Relevance, int? LexicalRank, int? VectorRank)
{
    public static KnowledgeSearchResult From(KnowledgeHit hit) =>
        new(hit.DocumentId, hit.Filename, hit.ChunkId, hit.Text, hit.Page, hit.Heading, hit.Score, hit.Relevance, hit.LexicalRank, hit.VectorRank);
}

public sealed class KnowledgeSearchRequestValidator : AbstractValidator<KnowledgeSearchRequest>
{
    public KnowledgeSearchRequestValidator()
    {
        RuleFor(r => r.Query).NotEmpty().WithMessage("Query is required.")
            .MaximumLength(KnowledgeSearchRequest.MaxQueryLength)
            .WithMessage($"Query must be at most {KnowledgeSearchRequest.MaxQueryLength} characters long.");
        RuleFor(r => r.TopK).InclusiveBetween(1, KnowledgeSearchService.MaxTopK)
            .WithMessage($"topK must be between 1 and {KnowledgeSearchService.MaxTopK}.");
        RuleFor(r => r.DocumentIds).Must(ids => ids is null || ids.Count is > 0 and <= KnowledgeSearchRequest.MaxDocumentIds)
            .WithMessage($"documentIds must list between 1 and {KnowledgeSearchRequest.MaxDocumentIds} documents.");
    }
}
