using System.Diagnostics;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Embeddings;
using AiPlatform.Core.Knowledge.Extraction;
using AiPlatform.Core.Knowledge.Index;
using AiPlatform.Core.Messaging;
using AiPlatform.Core.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// The ingestion pipeline for one document version: extract → chunk → embed (in the Worker's shared batches) → index. Progress
/// and status are committed as they change (each status change with a <c>document.status-changed</c> event); the
/// chunks replace the document's previous ones in the same transaction that marks it PROCESSED, and only if the
/// version is still current, so a repeated or restarted job never leaves duplicates and a stale one changes nothing.
/// </summary>
public sealed class DocumentIngestor(
    IServiceScopeFactory scopes,
    DocumentExtractionService extraction,
    TextChunker chunker,
    IEmbeddingGeneratorProvider embeddings,
    IOptions<IngestionOptions> options,
    EmbeddingBatcher batcher,
    TimeProvider clock,
    ILogger<DocumentIngestor> logger)
{
    private readonly IngestionOptions _options = options.Value;

    public async Task IngestAsync(DocumentUploadedIntegrationEvent job, IntegrationEventDelivery delivery, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var generator = embeddings.GetGenerator(job.TenantId);
        await using var scope = scopes.CreateTenantScope(job.TenantId);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == job.DocumentId, cancellationToken);
        if (document is null || document.Version != job.Version)
        {
            logger.LogInformation("Document {DocumentId} v{Version} is deleted or superseded; job skipped", job.DocumentId, job.Version);
            return;
        }

        if (document.Status == DocumentStatus.Processed && await IsIndexedByAsync(db, document.Id, generator.GeneratorId, cancellationToken))
        {
            logger.LogInformation("Document {DocumentId} v{Version} is already indexed; job skipped", job.DocumentId, job.Version);
            return;
        }

        var status = new DocumentStatusWriter(db, job);
        try
        {
            await status.ChangeAsync(DocumentStatus.Processing, error: null, cancellationToken);
            var (chunks, pageCount) = await ReadChunksAsync(scope.ServiceProvider.GetRequiredService<IBlobStore>(), document, cancellationToken);
            var chunked = Stopwatch.GetTimestamp();
            var vectors = await EmbedAsync(chunks, generator, status, cancellationToken);
            var embedded = Stopwatch.GetTimestamp();
            var stored = await StoreAsync(db, job, chunks, vectors, generator, pageCount, Stopwatch.GetElapsedTime(started), cancellationToken);
            logger.LogInformation(stored
                    ? "Document {DocumentId} v{Version} indexed: {Chunks} chunks; read and chunked in {ChunkMs} ms, embedded in {EmbedMs} ms, stored in {StoreMs} ms"
                    : "Document {DocumentId} v{Version} was superseded while it was processed; {Chunks} chunks discarded ({ChunkMs}/{EmbedMs}/{StoreMs} ms)",
                job.DocumentId, job.Version, chunks.Count, Milliseconds(started, chunked), Milliseconds(chunked, embedded),
                Milliseconds(embedded, Stopwatch.GetTimestamp()));
        }
        catch (DocumentExtractionException ex)
        {
            // The content itself is unreadable: no later attempt can do better.
            await status.ChangeAsync(DocumentStatus.Error, ex.Message, CancellationToken.None);
            throw new PoisonMessageException($"Document {job.DocumentId} v{job.Version} cannot be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var error = delivery.IsLastAttempt
                ? $"Processing failed after {delivery.Attempt} attempts: {ex.Message}"
                : $"Attempt {delivery.Attempt} of {delivery.MaxAttempts} failed ({ex.Message}); retrying.";
            await status.ChangeAsync(delivery.IsLastAttempt ? DocumentStatus.Error : DocumentStatus.Processing, error, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Marks the job's document ERROR when the Worker gives the job up without running it: the Worker died while
    /// processing it <paramref name="interruptions"/> times in a row, as a file that exhausts the stack or memory of a
    /// parser makes it do. Left PROCESSING, it would look as if it were still under way.
    /// </summary>
    public async Task GiveUpAsync(DocumentUploadedIntegrationEvent job, int interruptions, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateTenantScope(job.TenantId);
        var status = new DocumentStatusWriter(scope.ServiceProvider.GetRequiredService<AppDbContext>(), job);
        var times = interruptions == 1 ? "time" : "times";
        await status.ChangeAsync(DocumentStatus.Error,
            $"Processing was interrupted {interruptions} {times} (the worker stopped while reading this file); giving up.", cancellationToken);
    }

    private static long Milliseconds(long from, long to) => (long)Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;

    private static async Task<bool> IsIndexedByAsync(AppDbContext db, Guid documentId, string generatorId, CancellationToken cancellationToken)
    {
        var generators = await db.DocumentChunks.Where(c => c.DocumentId == documentId)
            .Select(c => c.EmbeddingGenerator).Distinct().ToListAsync(cancellationToken);
        return generators is [var only] && only == generatorId;
    }

    private async Task<(IReadOnlyList<Chunk> Chunks, int? PageCount)> ReadChunksAsync(
        IBlobStore blobs, Document document, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadAsync(document.TenantId, document.BlobId, cancellationToken)
            ?? throw new DocumentExtractionException("The document's file is missing from storage.");
        var extracted = await extraction.ExtractAsync(document.Type, content, cancellationToken);
        var chunks = chunker.Chunk(extracted.Sections,
            new ChunkingOptions { ChunkSize = document.ChunkSize, Overlap = document.Overlap }, cancellationToken);
        return (chunks, extracted.PageCount);
    }

    private async Task<float[]> EmbedAsync(
        IReadOnlyList<Chunk> chunks, EmbeddingGeneratorSelection generator, DocumentStatusWriter status, CancellationToken cancellationToken)
    {
        var dimensions = generator.Dimensions;
        var vectors = new float[chunks.Count * dimensions];
        await using var progress = new ProgressReporter(status, chunks.Count, _options.ProgressInterval, cancellationToken);
        var embeddings = batcher.Enqueue(generator.Generator, chunks.Select(EmbeddingText).ToList(), cancellationToken);
        for (var i = 0; i < embeddings.Length; i++)
        {
            var vector = (await embeddings[i]).Vector.Span;
            if (vector.Length != dimensions)
            {
                throw new InvalidOperationException(
                    $"The embedding generator returned {vector.Length}-dimensional vectors; {generator.GeneratorId} should make {dimensions}.");
            }

            vector.CopyTo(vectors.AsSpan(i * dimensions, dimensions));
            progress.Add(1);
        }

        return vectors;
    }

    // The heading places a chunk in its document; embedding it with the text helps a question about the section find it.
    private static string EmbeddingText(Chunk chunk) => chunk.Heading is { } heading ? $"{heading}\n{chunk.Text}" : chunk.Text;

    private async Task<bool> StoreAsync(
        AppDbContext db, DocumentUploadedIntegrationEvent job, IReadOnlyList<Chunk> chunks, float[] vectors,
        EmbeddingGeneratorSelection generator, int? pageCount, TimeSpan elapsed, CancellationToken cancellationToken) =>
        await db.InTransactionAsync(async ct =>
        {
            // Locks the row, so a reprocess request made now waits for this commit and then supersedes it.
            var version = await db.Database
                .SqlQuery<int>($"SELECT version AS \"Value\" FROM documents WHERE id = {job.DocumentId} FOR UPDATE")
                .ToListAsync(ct);
            if (version is not [var current] || current != job.Version)
            {
                return false;
            }

            await db.DocumentChunks.Where(c => c.DocumentId == job.DocumentId).ExecuteDeleteAsync(ct);
            for (var first = 0; first < chunks.Count; first += _options.InsertBatchSize)
            {
                await ChunkRows.InsertAsync(db, job, chunks, vectors, generator, first, Math.Min(_options.InsertBatchSize, chunks.Count - first), ct);
            }

            await ChunkRows.MergePendingSearchEntriesAsync(db, ct);

            var now = clock.GetUtcNow().UtcDateTime;
            await db.Documents.Where(d => d.Id == job.DocumentId).ExecuteUpdateAsync(d => d
                .SetProperty(x => x.Status, DocumentStatus.Processed)
                .SetProperty(x => x.ChunkCount, chunks.Count)
                .SetProperty(x => x.PageCount, pageCount)
                .SetProperty(x => x.ProgressDone, chunks.Count)
                .SetProperty(x => x.ProgressTotal, chunks.Count)
                .SetProperty(x => x.ProcessingTimeMs, (long)elapsed.TotalMilliseconds)
                .SetProperty(x => x.ProcessedAt, now)
                .SetProperty(x => x.Error, (string?)null), ct);
            await db.BumpKnowledgeRevisionAsync(job.TenantId, ct);
            db.AddIntegrationEvent(new DocumentStatusChangedIntegrationEvent(
                job.DocumentId, job.TenantId, job.Version, DocumentStatus.Processed, chunks.Count, Error: null));
            await db.SaveChangesAsync(ct);
            return true;
        }, cancellationToken);
}
