using System.ComponentModel;
using System.Text.Json.Serialization;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>
/// Lets a model search the documents linked to its assistant (the whole knowledge base in a turn without one). Every
/// passage it hands the model is recorded in the turn's <see cref="KnowledgeCitations"/>, so the reply cites it.
/// </summary>
public sealed class KnowledgeSearchTool(IServiceScopeFactory scopes) : IAssistantTool
{
    public const string ToolName = "knowledge_search";
    public const string FunctionName = "search";
    public const int PassagesPerSearch = 5;

    public string Name => ToolName;

    public string Description => "Searches the assistant's documents for passages relevant to a question.";

    public KernelPlugin CreatePlugin(ToolContext context) =>
        KernelPluginFactory.CreateFromFunctions(Name, Description,
        [
            KernelFunctionFactory.CreateFromMethod(
                ([Description("What to look for, in natural language.")] string query, CancellationToken cancellationToken) =>
                    SearchAsync(context, query, cancellationToken),
                FunctionName,
                "Returns the passages of the assistant's documents that best match the query, each with its source number, file and page. Cite passages as [source]."),
        ]);

    private async Task<IReadOnlyList<FoundPassage>> SearchAsync(ToolContext context, string query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        // A scope of its own: the turn's DbContext may be busy (or gone) while the model calls tools.
        await using var scope = scopes.CreateTenantScope(context.TenantId);
        var search = scope.ServiceProvider.GetRequiredService<KnowledgeSearchService>();
        var hits = await search.SearchAsync(new KnowledgeQuery(query.Trim(), PassagesPerSearch, context.AssistantId), cancellationToken);
        var citations = context.Citations ?? new KnowledgeCitations();
        citations.Add(hits);
        // Numbered by position in the turn's citations, so the same passage keeps its number across searches.
        var numbers = citations.From(0).Select((source, index) => (source.ChunkId, Number: index + 1)).ToDictionary();
        return hits.Select(hit => new FoundPassage(numbers[hit.ChunkId], hit.Filename, hit.Page, hit.Text)).ToList();
    }
}

/// <summary>One passage as the model sees it; <c>source</c> is the number to cite.</summary>
public sealed record FoundPassage(
    [property: JsonPropertyName("source")] int Source,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("page")] int? Page,
    [property: JsonPropertyName("text")] string Text);
