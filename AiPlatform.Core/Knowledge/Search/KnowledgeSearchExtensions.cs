using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Embeddings;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace AiPlatform.Core.Knowledge.Search;

public static class KnowledgeSearchExtensions
{
    /// <summary>Hybrid knowledge search (options from "Knowledge:Search") over the embeddings from "Embeddings".</summary>
    public static IHostApplicationBuilder AddKnowledgeSearch(this IHostApplicationBuilder builder)
    {
        builder.AddEmbeddings();
        builder.Services.AddOptions<KnowledgeSearchOptions>().BindConfiguration(KnowledgeSearchOptions.SectionName)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<TenantVectorCache>();
        builder.Services.TryAddSingleton<PgVectorIndex>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Scoped<IDatabaseSeeder, PgVectorIndexSeeder>());
        builder.Services.TryAddScoped<KnowledgeSearchService>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IAssistantTool, KnowledgeSearchTool>());
        return builder;
    }
}
