using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.ML.Tokenizers;

namespace AiPlatform.Core.Knowledge.Chunking;

public static class TextChunkingExtensions
{
    /// <summary>
    /// Registers <see cref="TextChunker"/> with <see cref="ChunkingOptions"/> bound from "Knowledge:Chunking" and,
    /// unless the app registered another <see cref="Tokenizer"/>, the o200k_base one (GPT-4o's), which counts
    /// tokens closely enough for any current embedding model.
    /// </summary>
    public static IServiceCollection AddTextChunking(this IServiceCollection services)
    {
        services.AddOptions<ChunkingOptions>()
            .BindConfiguration(ChunkingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<Tokenizer>(_ => TiktokenTokenizer.CreateForEncoding("o200k_base"));
        services.TryAddSingleton<TextChunker>();
        return services;
    }
}
