using AiPlatform.Core.Conversations;

namespace AiPlatform.Core.Knowledge.Search;

/// <summary>
/// The passages one chat turn was grounded on, in the order they were first retrieved (each chunk once): filled by
/// automatic retrieval before the model call and by <c>knowledge_search</c> calls during it, possibly concurrently.
/// </summary>
public sealed class KnowledgeCitations
{
    private readonly Lock _lock = new();
    private readonly List<MessageSource> _sources = [];

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sources.Count;
            }
        }
    }

    public void Add(IEnumerable<KnowledgeHit> hits)
    {
        lock (_lock)
        {
            foreach (var hit in hits.Where(hit => _sources.TrueForAll(s => s.ChunkId != hit.ChunkId)))
            {
                _sources.Add(new MessageSource
                {
                    DocumentId = hit.DocumentId,
                    Filename = hit.Filename,
                    ChunkId = hit.ChunkId,
                    Page = hit.Page,
                    Relevance = Math.Round(hit.Relevance, 4),
                });
            }
        }
    }

    /// <summary>The sources from position <paramref name="start"/> on.</summary>
    public List<MessageSource> From(int start)
    {
        lock (_lock)
        {
            return _sources.Skip(start).ToList();
        }
    }
}
