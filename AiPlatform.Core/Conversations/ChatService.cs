using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using AiPlatform.Core.AI;
using AiPlatform.Core.Assistants;
using AiPlatform.Core.Assistants.Tools;
using AiPlatform.Core.Common;
using AiPlatform.Core.Credits;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using Microsoft.SemanticKernel.Connectors.OpenAI;

namespace AiPlatform.Core.Conversations;

/// <summary>
/// Runs chat turns: builds the Semantic Kernel history (system prompt, personality, the conversation trimmed to the
/// model's window), refuses a turn the tenant cannot afford before calling the model, stores the user's message while
/// the model call starts (so it survives any failure, without delaying the first token), then stores the reply
/// (completed, failed or cancelled) together with its usage and credit settlement in one transaction, and leaves the
/// conversation's new state in <see cref="ConversationTurnCache"/> for its next turn.
/// </summary>
public sealed class ChatService(
    AppDbContext db,
    ModelCatalog catalog,
    IChatModelResolver resolver,
    ChatHistoryTrimmer trimmer,
    ITokenCounter tokenCounter,
    ModelUsageReader usageReader,
    ToolRegistry tools,
    CreditLedger credits,
    KnowledgeSearchService knowledge,
    ConversationTurnCache turnCache,
    TimeProvider clock,
    ILogger<ChatService> logger)
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";
    public const double DefaultTemperature = 0.7;

    /// <summary>Passages retrieved for a model that cannot call <c>knowledge_search</c> itself.</summary>
    public const int RetrievedPassages = 4;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public async Task<PreparedChatTurn> PrepareAsync(ChatTurnSpec spec, CancellationToken cancellationToken)
    {
        var modelId = spec.ModelOverride ?? spec.Assistant?.Model ?? catalog.Default.Id;
        if (!catalog.TryGet(modelId, out var model))
        {
            throw DomainException.Validation("model", $"'{modelId}' is not an available model; GET /api/v1/models lists them.");
        }

        if (spec.Conversation is { Status: not ConversationStatus.Active })
        {
            throw DomainException.Conflict("This conversation is closed; start a new one to continue.");
        }

        if (tokenCounter.CountTokens(spec.Content) > model.PromptTokenBudget)
        {
            throw DomainException.Validation("content", $"The message is longer than model '{model.Id}' can read ({model.PromptTokenBudget} tokens).");
        }

        var history = new ChatHistory(SystemPrompt(spec.Assistant));
        // Without preloaded state the turn has no earlier messages: it is one-shot, or a new conversation's first.
        foreach (var message in spec.Preloaded?.History ?? [])
        {
            history.AddMessage(message.Role == MessageRole.User ? AuthorRole.User : AuthorRole.Assistant, message.Content);
        }

        history.AddUserMessage(spec.Content);
        history = trimmer.Trim(history, model);
        var citations = new KnowledgeCitations();
        var knowledgeTool = spec.Assistant is { } assistant
            && await GroundAsync(history, assistant, spec.Preloaded?.AssistantHasKnowledge, model, spec.Content, citations, cancellationToken);

        var maxTokens = Math.Min(spec.MaxTokensOverride ?? spec.Assistant?.MaxTokens ?? model.MaxOutputTokens, model.MaxOutputTokens);
        var estimate = CreditAmounts.CostOf(tokenCounter.CountTokens(history), maxTokens, model.InputCostPer1kTokens, model.OutputCostPer1kTokens);
        if (spec.Preloaded is { } preloaded)
        {
            CreditLedger.EnsureCanAfford(preloaded.CreditBalance, estimate);
        }
        else
        {
            await credits.EnsureCanAffordAsync(spec.TenantId, estimate, cancellationToken);
        }

        // Messages are ordered by id. A version 7 uuid orders by millisecond only (the rest is random), and both ids are
        // made in the same one: the reply's is stamped a millisecond later so that it sorts after the user's message.
        var idTime = DateTimeOffset.UtcNow;
        var userMessage = spec.Conversation is { } target ? NewUserMessage(target, spec.Content, Guid.CreateVersion7(idTime)) : null;
        return new PreparedChatTurn(spec, model, history, maxTokens, spec.TemperatureOverride ?? spec.Assistant?.Temperature ?? DefaultTemperature,
            userMessage, Guid.CreateVersion7(idTime.AddMilliseconds(1)), citations, knowledgeTool, estimate);
    }

    /// <summary>
    /// Grounds a turn of an assistant with documents: a model that calls tools gets <c>knowledge_search</c> (returns
    /// true); any other (the offline model included) gets the best passages for the question handed to it up front.
    /// An assistant without indexed documents is left as it is (<paramref name="hasKnowledge"/>, if already known).
    /// </summary>
    private async Task<bool> GroundAsync(
        ChatHistory history, Assistant assistant, bool? hasKnowledge, CatalogModel model, string question, KnowledgeCitations citations,
        CancellationToken cancellationToken)
    {
        if (!(hasKnowledge ?? await db.Documents.AnyAsync(d => d.AssistantIds.Contains(assistant.Id) && d.ChunkCount > 0, cancellationToken)))
        {
            return false;
        }

        if (model.Supports(ModelCapabilities.Tools))
        {
            return true;
        }

        var hits = await knowledge.SearchAsync(new KnowledgeQuery(question, RetrievedPassages, assistant.Id), cancellationToken);
        if (hits.Count > 0)
        {
            citations.Add(hits);
            // Just before the question, where models weigh context most.
            history.Insert(history.Count - 1, LocalChatCompletionService.CreatePassagesMessage(
                hits.Select(hit => new ChatPassage(hit.Page is { } page ? $"{hit.Filename}, page {page}" : hit.Filename, hit.Text))));
        }
        return false;
    }

    /// <summary>
    /// One plain (non-streamed) model call, with the user's message stored meanwhile. A failure is stored with the reply
    /// and then thrown.
    /// </summary>
    public async Task<ChatTurnResult> CompleteAsync(PreparedChatTurn turn, CancellationToken cancellationToken)
    {
        var (service, kernel, settings) = Configure(turn);
        var started = Stopwatch.GetTimestamp();
        var prompt = turn.History.ToList();
        using var modelCall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = CallModelAsync();
        await StoreUserMessageAsync(turn, async () =>
        {
            await modelCall.CancelAsync();
            await ((Task)pending).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }, cancellationToken);
        try
        {
            var reply = await pending;
            // With automatic function calling SK appends each tool call and result to the history it was given.
            var produced = turn.History.Skip(prompt.Count).Append(reply).ToList();
            return await StoreReplyAsync(turn, reply.Content ?? "", MessageStatus.Completed, usageReader.Read(prompt, produced),
                Elapsed(started), FinishReason(reply.Metadata), error: null, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StoreReplyAsync(turn, "", MessageStatus.Cancelled, ModelUsage.None, Elapsed(started), "cancelled", error: null, CancellationToken.None);
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var failure = e as DomainException ?? Unexpected(e);
            await StoreReplyAsync(turn, "", MessageStatus.Failed, ModelUsage.None, Elapsed(started), null, failure, CancellationToken.None);
            throw failure;
        }

        // Async so that whatever the call throws, even before its first await, lands in the task.
        async Task<ChatMessageContent> CallModelAsync() =>
            await service.GetChatMessageContentAsync(turn.History, settings, kernel, modelCall.Token);
    }

    /// <summary>Starts the turn's model call, streamed; see <see cref="ModelStream"/>.</summary>
    public ModelStream StartStream(PreparedChatTurn turn, CancellationToken cancellationToken)
    {
        var (service, kernel, settings) = Configure(turn);
        return new ModelStream(service, turn.History, settings, kernel, e => e as DomainException ?? Unexpected(e), cancellationToken);
    }

    /// <summary>
    /// A streamed model call: <see cref="ChatTurnStarted"/> once the user's message is stored (the model call is already
    /// under way, or was started <see cref="PreparedChatTurn.Ahead"/>), the reply's text as it arrives, then how the turn
    /// ended. If the consumer stops early (the client went away), what had arrived is stored as a cancelled reply.
    /// </summary>
    public async IAsyncEnumerable<ChatTurnUpdate> StreamAsync(PreparedChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var call = turn.Ahead ?? StartStream(turn, cancellationToken);
        var updates = new List<StreamingChatMessageContent>();
        var text = new StringBuilder();
        var stored = false;
        var cited = 0;
        try
        {
            if (turn.Ahead is null)
            {
                try
                {
                    await StoreUserMessageAsync(turn, call.StopAsync, cancellationToken);
                }
                catch
                {
                    stored = true; // The turn never started: there is no reply to store.
                    throw;
                }
            }

            yield return new ChatTurnStarted(turn.UserMessage);
            while (true)
            {
                // Passages retrieved before the call, then those the model's own searches found.
                foreach (var source in turn.Citations.From(cited))
                {
                    cited++;
                    yield return new ChatTurnCitation(source);
                }

                var (moved, failure) = await call.Next;
                if (failure is not null)
                {
                    await StoreReplyAsync(turn, text.ToString(), MessageStatus.Failed, usageReader.Read(call.Prompt, updates),
                        Elapsed(call.Started), null, failure, CancellationToken.None);
                    stored = true;
                    yield return new ChatTurnFailed(failure);
                    yield break;
                }

                if (!moved)
                {
                    break;
                }

                updates.Add(call.Current);
                if (!string.IsNullOrEmpty(call.Current.Content))
                {
                    text.Append(call.Current.Content);
                    yield return new ChatTurnDelta(call.Current.Content);
                }

                call.Advance();
            }

            foreach (var source in turn.Citations.From(cited))
            {
                yield return new ChatTurnCitation(source);
            }

            var result = await StoreReplyAsync(turn, text.ToString(), MessageStatus.Completed, usageReader.Read(call.Prompt, updates),
                Elapsed(call.Started), FinishReason(updates.LastOrDefault(u => u.Metadata?.ContainsKey("FinishReason") == true)?.Metadata),
                error: null, cancellationToken);
            stored = true;
            yield return new ChatTurnCompleted(result);
        }
        finally
        {
            if (!stored)
            {
                // The consumer stopped or the call was cancelled: keep the partial answer, and charge what was generated.
                // The call is stopped first: a consumer that stopped at ChatTurnStarted left its first step under way.
                await call.StopAsync();
                await StoreReplyAsync(turn, text.ToString(), MessageStatus.Cancelled, usageReader.Read(call.Prompt, updates),
                    Elapsed(call.Started), "cancelled", error: null, CancellationToken.None);
            }
        }
    }

    private (IChatCompletionService Service, Kernel Kernel, PromptExecutionSettings Settings) Configure(PreparedChatTurn turn)
    {
        var kernel = new Kernel();
        var toolNames = (turn.Spec.Assistant?.Tools ?? []).Union(turn.KnowledgeTool ? [KnowledgeSearchTool.ToolName] : []).ToList();
        var useTools = toolNames.Count > 0 && turn.Model.Supports(ModelCapabilities.Tools);
        if (useTools)
        {
            kernel.Plugins.AddRange(tools.CreatePlugins(toolNames,
                new ToolContext(turn.Spec.TenantId, turn.Spec.UserId, turn.Spec.Assistant?.Id, turn.Citations)));
        }

        var settings = new OpenAIPromptExecutionSettings
        {
            Temperature = turn.Temperature,
            MaxTokens = turn.MaxTokens,
            FunctionChoiceBehavior = useTools ? FunctionChoiceBehavior.Auto() : null,
        };
        return (resolver.Resolve(turn.Model.Id), kernel, settings);
    }

    private static string SystemPrompt(Assistant? assistant)
    {
        var prompt = string.IsNullOrWhiteSpace(assistant?.SystemPrompt) ? DefaultSystemPrompt : assistant.SystemPrompt.Trim();
        return string.IsNullOrWhiteSpace(assistant?.Personality) ? prompt : $"{prompt}\n\nPersonality: {assistant.Personality.Trim()}";
    }

    private Message NewUserMessage(Conversation conversation, string content, Guid id) => new()
    {
        Id = id,
        TenantId = conversation.TenantId,
        ConversationId = conversation.Id,
        Role = MessageRole.User,
        Content = content,
        CreatedAt = Now,
    };

    /// <summary>
    /// Stores the turn's user message (if it has one) while its model call, already started, runs; the caller stores the
    /// reply only after this, so it never precedes the message. If the message cannot be stored the turn fails as it
    /// would have before the call: the call is stopped and awaited (nothing else may use the stream meanwhile), then
    /// the error is thrown.
    /// </summary>
    private async Task StoreUserMessageAsync(PreparedChatTurn turn, Func<Task> stopModelCall, CancellationToken cancellationToken)
    {
        if (turn.UserMessage is not { } message)
        {
            return;
        }

        try
        {
            // The message and the conversation's count in one statement, atomic without a transaction: one round trip
            // instead of three, on every turn. The other columns stay null, as EF would leave them for a user's message.
            await db.Database.ExecuteSqlAsync($"""
                WITH stored AS (
                    INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, created_at)
                    VALUES ({message.Id}, {message.TenantId}, {message.ConversationId}, {message.Role.ToString()}, {message.Content},
                        {message.Status.ToString()}, {message.CreatedAt}))
                UPDATE conversations
                SET message_count = message_count + 1, last_message_at = {message.CreatedAt}, updated_at = {message.CreatedAt}
                WHERE id = {message.ConversationId}
                """, cancellationToken);
        }
        catch
        {
            await stopModelCall();
            throw;
        }
    }

    /// <summary>
    /// Stores the user's message of a turn prepared from <see cref="ConversationTurnCache"/>, and counts it, only if the
    /// conversation is still as cached: active, the same message count (so the same history), its assistant not updated
    /// since, its documents indexed or not as they were, and a balance that covers the estimate. One statement, sent
    /// while the model call is under way; false if nothing was stored.
    /// </summary>
    public async Task<bool> TryStoreUserMessageAsync(PreparedChatTurn turn, CancellationToken cancellationToken)
    {
        var (message, state, assistant) = (turn.UserMessage!, turn.Spec.Preloaded!, turn.Spec.Assistant!);
        var stored = await db.Database.ExecuteSqlAsync($"""
            WITH target AS (
                SELECT c.id FROM conversations c
                JOIN assistants a ON a.id = c.assistant_id AND a.tenant_id = c.tenant_id
                WHERE c.id = {message.ConversationId} AND c.tenant_id = {message.TenantId} AND c.user_id = {turn.Spec.UserId}
                  AND c.status = {nameof(ConversationStatus.Active)} AND c.message_count = {state.MessageCount}
                  AND a.id = {assistant.Id} AND a.updated_at = {assistant.UpdatedAt}
                  AND EXISTS (SELECT 1 FROM documents d
                              WHERE d.tenant_id = c.tenant_id AND a.id = ANY (d.assistant_ids) AND d.chunk_count > 0) = {state.AssistantHasKnowledge}
                  AND ({turn.EstimatedCost} = 0
                       OR coalesce((SELECT ca.balance FROM credit_accounts ca WHERE ca.tenant_id = c.tenant_id), 0) >= {turn.EstimatedCost})),
            stored AS (
                INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, created_at)
                SELECT {message.Id}, {message.TenantId}, id, {message.Role.ToString()}, {message.Content}, {message.Status.ToString()},
                       {message.CreatedAt}
                FROM target)
            UPDATE conversations
            SET message_count = message_count + 1, last_message_at = {message.CreatedAt}, updated_at = {message.CreatedAt}
            WHERE id IN (SELECT id FROM target)
            """, cancellationToken);
        return stored == 1;
    }

    private async Task<ChatTurnResult> StoreReplyAsync(
        PreparedChatTurn turn, string content, MessageStatus status, ModelUsage usage, long latencyMs, string? finishReason,
        DomainException? error, CancellationToken cancellationToken)
    {
        var model = turn.Model;
        var cost = model.CostOf(usage);
        var now = Now;
        var sources = turn.Citations.From(0);
        ChatTurnResult result;
        try
        {
            result = await db.InTransactionAsync(async ct =>
            {
                Message? message = null;
                if (turn.Spec.Conversation is { } conversation)
                {
                    message = new Message
                    {
                        Id = turn.AssistantMessageId,
                        TenantId = conversation.TenantId,
                        ConversationId = conversation.Id,
                        Role = MessageRole.Assistant,
                        Content = content,
                        Status = status,
                        Model = model.Id,
                        PromptTokens = usage.PromptTokens,
                        CompletionTokens = usage.CompletionTokens,
                        LatencyMs = latencyMs,
                        FinishReason = finishReason,
                        Error = error is null ? null : new MessageError { Code = error.Code, Message = error.Message },
                        Sources = sources,
                        CreatedAt = now,
                    };
                    db.Messages.Add(message);
                    await CountMessageAsync(conversation.Id, now, ct);
                }

                if (usage == ModelUsage.None)
                {
                    await db.SaveChangesAsync(ct);
                }
                else
                {
                    await credits.SettleUsageAsync(new UsageEntry(turn.Spec.TenantId, turn.Spec.UserId, model.Id, model.ProviderName,
                        usage.PromptTokens, usage.CompletionTokens, cost, latencyMs, turn.Spec.Assistant?.Id, turn.Spec.Conversation?.Id,
                        message?.Id), ct);
                }

                return new ChatTurnResult(turn.AssistantMessageId, message, content, usage, CreditAmounts.RoundUp(cost), latencyMs, finishReason, sources);
            }, cancellationToken);
        }
        catch
        {
            // Whether the reply was stored is unknown: the next turn reads the conversation from the database.
            if (turn.Spec.Conversation is { } conversation)
            {
                turnCache.Forget(conversation.Id);
            }

            throw;
        }

        turnCache.Advance(turn, content, status);
        return result;
    }

    private Task<int> CountMessageAsync(Guid conversationId, DateTime now, CancellationToken cancellationToken) =>
        db.Conversations.Where(c => c.Id == conversationId).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.MessageCount, c => c.MessageCount + 1)
            .SetProperty(c => c.LastMessageAt, now)
            .SetProperty(c => c.UpdatedAt, now), cancellationToken);

    private DomainException Unexpected(Exception exception)
    {
        logger.LogError(exception, "Model call failed unexpectedly");
        return new DomainException(500, ErrorCodes.InternalError, "The model call failed unexpectedly. Quote the request id when reporting it.");
    }

    private static long Elapsed(long started) => (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds;

    private static string? FinishReason(IReadOnlyDictionary<string, object?>? metadata) =>
        metadata?.GetValueOrDefault("FinishReason")?.ToString()?.ToLowerInvariant();
}
