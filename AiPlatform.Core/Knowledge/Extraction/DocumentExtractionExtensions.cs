using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiPlatform.Core.Knowledge.Extraction;

public static class DocumentExtractionExtensions
{
    /// <summary>
    /// Registers <see cref="DocumentExtractionService"/> with an <see cref="IDocumentExtractor"/> for every
    /// <see cref="DocumentType"/>. Detection needs no registration: <see cref="DocumentTypeDetector"/> is static.
    /// </summary>
    public static IServiceCollection AddDocumentExtraction(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, PdfExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, DocxExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, HtmlExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, MarkdownExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, CsvExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, JsonExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, TextExtractor>());
        services.TryAddSingleton<DocumentExtractionService>();
        return services;
    }
}
