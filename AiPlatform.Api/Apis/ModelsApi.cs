using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.AI;
using AiPlatform.Core.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiPlatform.Api.Apis;

/// <summary>The models assistants and chats can use: the built-in <c>local</c> one and every configured provider's.</summary>
public static class ModelsApi
{
    public static RouteGroupBuilder MapModelsApi(this RouteGroupBuilder v1)
    {
        var api = v1.MapGroup("/models").WithTags("Models");
        api.MapGet("/", ListModels);
        return api;
    }

    public static Ok<PagedResult<ModelResponse>> ListModels([AsParameters] PageQuery query, ModelCatalog catalog)
    {
        var page = query.ToPageRequest();
        var models = catalog.Models;
        var items = models.Skip(page.Skip).Take(page.PageSize).Select(ModelResponse.From).ToList();
        var totalPages = (int)Math.Ceiling(models.Count / (double)page.PageSize);
        return TypedResults.Ok(new PagedResult<ModelResponse>(items, page.Page, page.PageSize, models.Count, totalPages));
    }
}

/// <summary>A catalog entry as clients see it: built from <see cref="CatalogModel"/>, which holds no secret.</summary>
public sealed record ModelResponse(
    string Id, string Name, string Provider, int MaxTokens, int ContextWindow, ModelCosts CostPer1kTokens, IReadOnlyList<string> Capabilities)
{
    public static ModelResponse From(CatalogModel model) => new(
        model.Id, model.Name, model.ProviderName, model.MaxOutputTokens, model.ContextWindow,
        new ModelCosts(model.InputCostPer1kTokens, model.OutputCostPer1kTokens), model.Capabilities);
}

public sealed record ModelCosts(decimal Input, decimal Output);
