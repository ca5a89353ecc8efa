using AiPlatform.Core.Common;
using AiPlatform.Core.Data;

namespace AiPlatform.Core.Conversations;

/// <summary>
/// Prepares a turn of an existing conversation. A streamed turn of a conversation in <see cref="ConversationTurnCache"/>
/// starts its model call before the database is asked anything; the user's message is then stored only if the
/// conversation is still as cached, in one statement while the model works on its first token. Otherwise the call is
/// stopped and the turn is prepared from the database, as every other turn is.
/// </summary>
public sealed class ConversationTurnStarter(AppDbContext db, ConversationTurnReader reader, ConversationTurnCache cache, ChatService chat)
{
    /// <summary>The turn, or null if the user has no such conversation.</summary>
    public async Task<PreparedChatTurn?> PrepareAsync(Guid conversationId, Guid userId, string content, bool streamed, CancellationToken cancellationToken)
    {
        if (streamed && cache.Find(db.Tenant.RequiredTenantId, userId, conversationId) is { } cached
            && await StartAheadAsync(cached with { Content = content }, cancellationToken) is { } started)
        {
            return started;
        }

        return await reader.FindAsync(conversationId, userId, content, cancellationToken) is { } spec
            ? await chat.PrepareAsync(spec, cancellationToken)
            : null;
    }

    /// <summary>The turn with its model call under way and its user message stored, or null if the cache was stale.</summary>
    private async Task<PreparedChatTurn?> StartAheadAsync(ChatTurnSpec cached, CancellationToken cancellationToken)
    {
        PreparedChatTurn turn;
        try
        {
            turn = await chat.PrepareAsync(cached, cancellationToken);
        }
        catch (DomainException)
        {
            // What refused may be the stale copy (a balance since topped up): the database decides.
            return null;
        }

        var call = chat.StartStream(turn, cancellationToken);
        try
        {
            if (await chat.TryStoreUserMessageAsync(turn, cancellationToken))
            {
                return turn with { Ahead = call };
            }
        }
        catch
        {
            await call.DisposeAsync();
            throw;
        }

        await call.DisposeAsync();
        cache.Forget(cached.Conversation!.Id);
        return null;
    }
}
