using AiPlatform.Core.Common;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiPlatform.Core.Conversations;

/// <summary>The <c>Conversations:TurnCache</c> configuration section.</summary>
public sealed class ConversationTurnCacheOptions
{
    public const string SectionName = "Conversations:TurnCache";

    /// <summary>Characters of history kept in all (a conversation's entry counts its history's length); 0 keeps nothing.</summary>
    public long SizeLimit { get; set; } = 32 * 1024 * 1024;

    /// <summary>An entry not used for this long is dropped.</summary>
    public TimeSpan SlidingExpiration { get; set; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// What the next turn of a conversation needs (the conversation, its assistant, the history and the message count that
/// versions it), as this instance last stored it, so that <see cref="ConversationTurnStarter"/> can start a turn's model
/// call before asking the database. It is only ever a guess: the turn goes on only if the database still agrees (see
/// <see cref="ChatService.TryStoreUserMessageAsync"/>). A turn stored by another instance evicts the entry here over Redis,
/// so that a stale guess, a model call started in vain, stays rare.
/// </summary>
public sealed class ConversationTurnCache : BackgroundService
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("aiplatform:conversation-advanced");

    private readonly MemoryCache _entries;
    private readonly ConversationTurnCacheOptions _options;
    private readonly EvictionChannel _evictions;
    private readonly string _instance = Guid.NewGuid().ToString("N");

    public ConversationTurnCache(IOptions<ConversationTurnCacheOptions> options, IConnectionMultiplexer redis, ILogger<ConversationTurnCache> logger)
    {
        _options = options.Value;
        _entries = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.SizeLimit });
        _evictions = new EvictionChannel(redis, Channel, logger);
    }

    /// <summary>The user's conversation as cached, its content empty, or null.</summary>
    public ChatTurnSpec? Find(Guid tenantId, Guid userId, Guid conversationId) =>
        _entries.TryGetValue(conversationId, out ChatTurnSpec? spec) && spec!.TenantId == tenantId && spec.UserId == userId ? spec : null;

    /// <summary>
    /// Keeps the state a turn leaves: what it was prepared from (which the database matched when its user message was
    /// stored) with its two messages added, as <see cref="ConversationTurnReader"/> would read them back. Turns of
    /// another kind (one-shot, a new conversation's first) leave nothing.
    /// </summary>
    public void Advance(PreparedChatTurn turn, string reply, MessageStatus status)
    {
        if (turn.Spec is not { Conversation: { } conversation, Preloaded: { } state } spec || turn.UserMessage is null)
        {
            return;
        }

        var history = new List<HistoryMessage>(state.History) { new(MessageRole.User, spec.Content) };
        if (status != MessageStatus.Failed && reply.Length > 0)
        {
            history.Add(new HistoryMessage(MessageRole.Assistant, reply));
        }

        var newest = history.TakeLast(ConversationTurnReader.HistoryMessagesLoaded).ToList();
        var next = spec with
        {
            Content = "",
            ModelOverride = null,
            TemperatureOverride = null,
            MaxTokensOverride = null,
            Preloaded = state with { History = newest, MessageCount = state.MessageCount + 2 },
        };
        _entries.Set(conversation.Id, next, new MemoryCacheEntryOptions
        {
            Size = 1 + newest.Sum(message => (long)message.Content.Length),
            SlidingExpiration = _options.SlidingExpiration,
        });
        // Off the turn's path: a lost message only lets another instance try its stale copy, which the database refuses.
        _ = _evictions.PublishAsync($"{_instance}:{conversation.Id}", CommandFlags.FireAndForget);
    }

    public void Forget(Guid conversationId) => _entries.Remove(conversationId);

    public override void Dispose()
    {
        _entries.Dispose();
        base.Dispose();
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _evictions.SubscribeAsync(Evict, stoppingToken);

    private void Evict(RedisValue message)
    {
        if (message.ToString().Split(':') is [var instance, var conversation] && instance != _instance
            && Guid.TryParse(conversation, out var conversationId))
        {
            Forget(conversationId);
        }
    }
}
