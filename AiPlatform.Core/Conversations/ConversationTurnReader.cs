using System.Data.Common;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace AiPlatform.Core.Conversations;

/// <summary>
/// Reads everything a turn of an existing conversation needs before its model call in ONE round trip: the caller's
/// conversation with its assistant, whether the assistant has indexed documents, the tenant's credit balance, and the
/// newest history, the tenant's session settings going along (<see cref="TenantSessionInterceptor.ExecuteFirstBatchAsync"/>).
/// It is on the way to every first token, and EF Core cannot send two queries in one round trip, so this is SQL in an
/// <see cref="NpgsqlBatch"/>; the columns are read by name, and a test checks the entities it builds
/// equal EF's. Runs under row-level security like any query, and filters by tenant as EF's query filters do.
/// </summary>
public sealed class ConversationTurnReader(AppDbContext db, TenantSessionInterceptor session)
{
    /// <summary>The newest messages read back for a turn; the trimmer then fits them to the model's window.</summary>
    public const int HistoryMessagesLoaded = 200;

    private const string TargetSql = """
        SELECT c.id, c.tenant_id, c.assistant_id, c.user_id, c.title, c.status, c.close_reason, c.summary, c.rating,
               c.message_count, c.created_at, c.updated_at, c.last_message_at,
               a.name, a.description, a.personality, a.system_prompt, a.model, a.temperature, a.max_tokens, a.tools,
               a.status AS assistant_status, a.category, a.created_by_user_id,
               a.created_at AS assistant_created_at, a.updated_at AS assistant_updated_at,
               EXISTS (SELECT 1 FROM documents d
                       WHERE d.tenant_id = $3 AND a.id = ANY (d.assistant_ids) AND d.chunk_count > 0) AS has_knowledge,
               coalesce((SELECT ca.balance FROM credit_accounts ca WHERE ca.tenant_id = $3), 0) AS credit_balance
        FROM conversations c
        JOIN assistants a ON a.id = c.assistant_id AND a.tenant_id = $3
        WHERE c.id = $1 AND c.user_id = $2 AND c.tenant_id = $3
        """;

    private const string HistorySql = $"""
        SELECT role, content FROM messages
        WHERE conversation_id = $1 AND tenant_id = $2 AND status <> '{nameof(MessageStatus.Failed)}' AND content <> ''
        ORDER BY id DESC LIMIT $3
        """;

    /// <summary>
    /// The turn (content and all) of the user's conversation, or null if they have no such conversation. Opens the
    /// context's connection if it is closed, and closes it.
    /// </summary>
    public async Task<ChatTurnSpec?> FindAsync(Guid conversationId, Guid userId, string content, CancellationToken cancellationToken)
    {
        var tenantId = db.Tenant.RequiredTenantId;
        try
        {
            await using var batch = new NpgsqlBatch
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(TargetSql) { Parameters = { Uuid(conversationId), Uuid(userId), Uuid(tenantId) } },
                    new NpgsqlBatchCommand(HistorySql)
                    {
                        Parameters = { Uuid(conversationId), Uuid(tenantId), new NpgsqlParameter<int> { TypedValue = HistoryMessagesLoaded } },
                    },
                },
            };
            await using var reader = await session.ExecuteFirstBatchAsync(db.Database, batch, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            var (conversation, assistant) = (ReadConversation(reader), ReadAssistant(reader));
            var hasKnowledge = reader.GetFieldValue<bool>(reader.GetOrdinal("has_knowledge"));
            var balance = reader.GetFieldValue<decimal>(reader.GetOrdinal("credit_balance"));

            await reader.NextResultAsync(cancellationToken);
            var history = new List<HistoryMessage>();
            while (await reader.ReadAsync(cancellationToken))
            {
                history.Add(new HistoryMessage(Enum.Parse<MessageRole>(reader.GetString(0)), reader.GetString(1)));
            }

            history.Reverse();
            return new ChatTurnSpec(tenantId, userId, content, assistant, conversation,
                Preloaded: new ConversationTurnState(history, hasKnowledge, balance, conversation.MessageCount));
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static NpgsqlParameter<Guid> Uuid(Guid value) => new() { TypedValue = value, NpgsqlDbType = NpgsqlDbType.Uuid };

    private static Conversation ReadConversation(DbDataReader reader) => new()
    {
        Id = Get<Guid>(reader, "id"),
        TenantId = Get<Guid>(reader, "tenant_id"),
        AssistantId = Get<Guid>(reader, "assistant_id"),
        UserId = Get<Guid>(reader, "user_id"),
        Title = Get<string>(reader, "title"),
        Status = Enum.Parse<ConversationStatus>(Get<string>(reader, "status")),
        CloseReason = Get<string?>(reader, "close_reason"),
        Summary = Get<string?>(reader, "summary"),
        Rating = Get<int?>(reader, "rating"),
        MessageCount = Get<int>(reader, "message_count"),
        CreatedAt = Get<DateTime>(reader, "created_at"),
        UpdatedAt = Get<DateTime>(reader, "updated_at"),
        LastMessageAt = Get<DateTime?>(reader, "last_message_at"),
    };

    private static Assistant ReadAssistant(DbDataReader reader) => new()
    {
        Id = Get<Guid>(reader, "assistant_id"),
        TenantId = Get<Guid>(reader, "tenant_id"),
        Name = Get<string>(reader, "name"),
        Description = Get<string?>(reader, "description"),
        Personality = Get<string?>(reader, "personality"),
        SystemPrompt = Get<string?>(reader, "system_prompt"),
        Model = Get<string>(reader, "model"),
        Temperature = Get<double>(reader, "temperature"),
        MaxTokens = Get<int?>(reader, "max_tokens"),
        Tools = [.. Get<string[]>(reader, "tools")],
        Status = Enum.Parse<AssistantStatus>(Get<string>(reader, "assistant_status")),
        Category = Get<string?>(reader, "category"),
        CreatedByUserId = Get<Guid>(reader, "created_by_user_id"),
        CreatedAt = Get<DateTime>(reader, "assistant_created_at"),
        UpdatedAt = Get<DateTime>(reader, "assistant_updated_at"),
    };

    /// <summary>A column by name; SQL NULL as null for the nullable types the entities use.</summary>
    private static T Get<T>(DbDataReader reader, string column)
    {
        var ordinal = reader.GetOrdinal(column);
        return reader.IsDBNull(ordinal) ? default! : reader.GetFieldValue<T>(ordinal);
    }
}
