using Microsoft.AspNetCore.WebUtilities;

namespace AiPlatform.Web.Services;

public sealed class AssistantsClient(HttpClient httpClient)
{
    /// <summary>The first <paramref name="pageSize"/> assistants by name, optionally only those matching <paramref name="search"/>.</summary>
    public Task<PagedResult<Assistant>> ListAsync(
        string? search = null, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        var uri = QueryHelpers.AddQueryString("api/v1/assistants", new Dictionary<string, string?>
        {
            ["pageSize"] = pageSize.ToString(),
            ["sort"] = "name:asc",
            ["search"] = string.IsNullOrWhiteSpace(search) ? null : search.Trim(),
        });
        return httpClient.GetAsync<PagedResult<Assistant>>(uri, cancellationToken);
    }

    public Task<Assistant> CreateAsync(NewAssistant assistant, CancellationToken cancellationToken = default) =>
        httpClient.PostAsync<Assistant>("api/v1/assistants", assistant, cancellationToken);

    /// <summary>The model catalog; it always has the built-in offline model, <c>local</c>.</summary>
    public async Task<IReadOnlyList<ModelInfo>> ListModelsAsync(CancellationToken cancellationToken = default) =>
        (await httpClient.GetAsync<ModelCatalog>("api/v1/models?pageSize=100", cancellationToken)).Items;

    private sealed record ModelCatalog(IReadOnlyList<ModelInfo> Items);
}

public static class AssistantStatuses
{
    public const string Draft = "DRAFT";
    public const string Active = "ACTIVE";
    public const string Inactive = "INACTIVE";

    public static readonly IReadOnlyList<string> All = [Active, Draft, Inactive];
}

/// <summary>One page of a list (the API also reports the page, its size and the page count).</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Total);

public sealed record Assistant(Guid Id, string Name, string? Description, string Model, string Status);

/// <summary>The body of <c>POST /assistants</c>; null fields are left out so the API's defaults apply.</summary>
public sealed record NewAssistant(string Name, string? SystemPrompt, string? Model, string? Status);

public sealed record ModelInfo(string Id, string Name);
