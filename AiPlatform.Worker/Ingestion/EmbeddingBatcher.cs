using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace AiPlatform.Worker.Ingestion;

/// <summary>
/// The Worker's embedding calls, shared by every document it processes: texts wait in one queue per generator and go
/// out in calls of up to <see cref="IngestionOptions.EmbeddingBatchSize"/>, at most
/// <see cref="IngestionOptions.EmbeddingConcurrency"/> calls in flight. A call takes what is queued when a slot frees,
/// so no slot idles while texts wait, and batches fill up whenever texts arrive faster than the model embeds them; the
/// end of one document shares a call with the start of the next rather than costing one of its own.
/// </summary>
public sealed class EmbeddingBatcher(IOptions<IngestionOptions> options, IHostApplicationLifetime lifetime)
{
    private readonly IngestionOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<IEmbeddingGenerator<string, Embedding<float>>, Queue<Request>> _queues = [];
    private long _requests;
    private int _callsInFlight;

    /// <summary>Queues <paramref name="texts"/>; each task completes with its text's embedding when its call returns.</summary>
    /// <param name="cancellationToken">Cancels the texts not yet embedded; a call already sent still completes.</param>
    public Task<Embedding<float>>[] Enqueue(
        IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        var request = new Request(texts, cancellationToken);
        if (texts.Count > 0)
        {
            lock (_lock)
            {
                request.Number = ++_requests;
                (CollectionsMarshal.GetValueRefOrAddDefault(_queues, generator, out _) ??= new Queue<Request>()).Enqueue(request);
            }

            Dispatch();
        }

        return Array.ConvertAll(request.Results, result => result.Task);
    }

    /// <summary>Starts calls while a slot is free and texts are waiting.</summary>
    private void Dispatch()
    {
        while (true)
        {
            IEmbeddingGenerator<string, Embedding<float>> generator;
            List<Slice> batch;
            lock (_lock)
            {
                if (_callsInFlight == _options.EmbeddingConcurrency || !TryTakeBatch(out generator!, out batch!))
                {
                    return;
                }

                _callsInFlight++;
            }

            // A local generator computes synchronously: the caller, and the lock, must not wait for it.
            _ = Task.Run(async () =>
            {
                try
                {
                    await SendAsync(generator, batch);
                }
                finally
                {
                    lock (_lock)
                    {
                        _callsInFlight--;
                    }

                    Dispatch();
                }
            });
        }
    }

    /// <summary>Up to a batch of waiting texts of the generator whose oldest request has waited longest.</summary>
    private bool TryTakeBatch(out IEmbeddingGenerator<string, Embedding<float>>? generator, out List<Slice>? batch)
    {
        generator = null;
        batch = null;
        Queue<Request>? oldest = null;
        foreach (var (candidate, queue) in _queues)
        {
            while (queue.TryPeek(out var head) && head.IsDone)
            {
                queue.Dequeue();
            }

            if (queue.Count > 0 && (oldest is null || queue.Peek().Number < oldest.Peek().Number))
            {
                (generator, oldest) = (candidate, queue);
            }
        }

        if (oldest is null)
        {
            return false;
        }

        batch = [];
        var room = _options.EmbeddingBatchSize;
        while (room > 0 && oldest.TryPeek(out var request))
        {
            if (!request.IsDone)
            {
                var count = Math.Min(room, request.Texts.Count - request.Sent);
                batch.Add(new Slice(request, request.Sent, count));
                request.Sent += count;
                room -= count;
            }

            if (request.IsDone)
            {
                oldest.Dequeue();
            }
        }

        return true;
    }

    private async Task SendAsync(IEmbeddingGenerator<string, Embedding<float>> generator, IReadOnlyList<Slice> batch)
    {
        try
        {
            var texts = batch.SelectMany(slice => slice.Texts).ToList();
            var embeddings = await generator.GenerateAsync(texts, cancellationToken: lifetime.ApplicationStopping);
            if (embeddings.Count != texts.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {embeddings.Count} vectors for {texts.Count} texts.");
            }

            var next = 0;
            foreach (var slice in batch)
            {
                for (var i = 0; i < slice.Count; i++)
                {
                    slice.Request.SetResult(slice.First + i, embeddings[next++]);
                }
            }
        }
        catch (Exception) when (batch.Count > 1)
        {
            // One request's text may be what the model refused: each is tried on its own, so only that one fails.
            foreach (var slice in batch)
            {
                await SendAsync(generator, [slice]);
            }
        }
        catch (Exception ex)
        {
            var (request, first, count) = batch[0];
            for (var i = first; i < first + count; i++)
            {
                request.SetException(i, ex);
            }
        }
    }

    /// <summary>The texts of one <see cref="Enqueue"/> call; <see cref="Sent"/> of them are in calls already.</summary>
    private sealed class Request
    {
        private readonly CancellationTokenRegistration _cancellation;
        private int _pending;

        public Request(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            Texts = texts;
            CancellationToken = cancellationToken;
            _pending = texts.Count;
            Results = new TaskCompletionSource<Embedding<float>>[texts.Count];
            for (var i = 0; i < Results.Length; i++)
            {
                Results[i] = new TaskCompletionSource<Embedding<float>>(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            _cancellation = cancellationToken.Register(() =>
            {
                foreach (var result in Results)
                {
                    result.TrySetCanceled(cancellationToken);
                }
            });
        }

        public IReadOnlyList<string> Texts { get; }
        public CancellationToken CancellationToken { get; }
        public TaskCompletionSource<Embedding<float>>[] Results { get; }
        public long Number { get; set; }
        public int Sent { get; set; }
        public bool IsDone => Sent == Texts.Count || CancellationToken.IsCancellationRequested;

        public void SetResult(int index, Embedding<float> embedding)
        {
            if (Results[index].TrySetResult(embedding))
            {
                Completed();
            }
        }

        public void SetException(int index, Exception exception)
        {
            if (Results[index].TrySetException(exception))
            {
                Completed();
            }
        }

        // A long-lived token (the host's) would otherwise keep every finished request, vectors and all, alive.
        private void Completed()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _cancellation.Dispose();
            }
        }
    }

    private readonly record struct Slice(Request Request, int First, int Count)
    {
        public IEnumerable<string> Texts => Request.Texts.Skip(First).Take(Count);
    }
}
