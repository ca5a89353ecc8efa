using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Extraction;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.Worker.Ingestion;

public static class IngestionExtensions
{
    /// <summary>
    /// The document ingestion pipeline (<see cref="DocumentIngestor"/>, options from "Ingestion") with what it runs on:
    /// extraction, chunking, embeddings, the blob store; and the start-up requeue of documents left waiting.
    /// </summary>
    public static IHostApplicationBuilder AddDocumentIngestion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<IngestionOptions>().BindConfiguration(IngestionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddDocuments();
        builder.Services.AddDocumentExtraction();
        builder.Services.AddTextChunking();
        builder.AddEmbeddings();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<EmbeddingBatcher>();
        builder.Services.AddScoped<DocumentIngestor>();
        builder.Services.AddHostedService<PendingDocumentsRequeue>();
        return builder;
    }
}
