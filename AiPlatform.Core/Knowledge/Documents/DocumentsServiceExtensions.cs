using Microsoft.Extensions.DependencyInjection;

namespace AiPlatform.Core.Knowledge.Documents;

public static class DocumentsServiceExtensions
{
    /// <summary>Upload limits from <c>Knowledge:Documents</c> and the PostgreSQL blob store.</summary>
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddOptions<DocumentOptions>().BindConfiguration(DocumentOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        // Defaults for a document's chunking settings (bound again, harmlessly, where the chunker is registered).
        services.AddOptions<Chunking.ChunkingOptions>().BindConfiguration(Chunking.ChunkingOptions.SectionName);
        services.AddScoped<IBlobStore, PostgresBlobStore>();
        return services;
    }
}
