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
/// model's window), refuses a turn the tenant cannot afford before calling the model, stores the user's message
/// first (so it survives any failure), then stores the reply (completed, failed or cancelled) together with its
/// usage and credit settlement in one transaction.
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
    TimeProvider clock,
    ILogger<ChatService> logger)
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";
    public const double DefaultTemperature = 0.7;

    /// <summary>The newest messages read back for a turn; the trimmer then fits them to the model's window.</summary>
    public const int HistoryMessagesLoaded = 200;

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
        if (spec.Conversation is { } conversation)
        {
            foreach (var message in await LoadHistoryAsync(conversation.Id, cancellationToken))
            {
                history.AddMessage(message.Role == MessageRole.User ? AuthorRole.User : AuthorRole.Assistant, message.Content);
            }
        }

        history.AddUserMessage(spec.Content);
        history = trimmer.Trim(history, model);
        var citations = new KnowledgeCitations();
        var knowledgeTool = spec.Assistant is { } assistant && await GroundAsync(history, assistant, model, spec.Content, citations, cancellationToken);

        var maxTokens = Math.Min(spec.MaxTokensOverride ?? spec.Assistant?.MaxTokens ?? model.MaxOutputTokens, model.MaxOutputTokens);
        var estimate = CreditAmounts.CostOf(tokenCounter.CountTokens(history), maxTokens, model.InputCostPer1kTokens, model.OutputCostPer1kTokens);
        await credits.EnsureCanAffordAsync(spec.TenantId, estimate, cancellationToken);

        var userMessage = spec.Conversation is { } target ? await StoreUserMessageAsync(target, spec.Content, cancellationToken) : null;
        return new PreparedChatTurn(spec, model, history, maxTokens,
            spec.TemperatureOverride ?? spec.Assistant?.Temperature ?? DefaultTemperature, userMessage, Guid.CreateVersion7(),
            citations, knowledgeTool);
    }

    /// <summary>
    /// Grounds a turn of an assistant with documents: a model that calls tools gets <c>knowledge_search</c> (returns
    /// true); any other (the offline model included) gets the best passages for the question handed to it up front.
    /// </summary>
    private async Task<bool> GroundAsync(
        ChatHistory history, Assistant assistant, CatalogModel model, string question, KnowledgeCitations citations, CancellationToken cancellationToken)
    {
        if (model.Supports(ModelCapabilities.Tools))
        {
            return await db.Documents.AnyAsync(d => d.AssistantIds.Contains(assistant.Id) && d.ChunkCount > 0, cancellationToken);
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

    /// <summary>One plain (non-streamed) model call. A failure is stored with the reply and then thrown.</summary>
    public async Task<ChatTurnResult> CompleteAsync(PreparedChatTurn turn, CancellationToken cancellationToken)
    {
        var (service, kernel, settings) = Configure(turn);
        var started = Stopwatch.GetTimestamp();
        var prompt = turn.History.ToList();
        try
        {
            var reply = await service.GetChatMessageContentAsync(turn.History, settings, kernel, cancellationToken);
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
    }

    /// <summary>
    /// A streamed model call: the reply's text as it arrives, then how the turn ended. If the consumer stops early
    /// (the client went away), what had arrived is stored as a cancelled reply.
    /// </summary>
    public async IAsyncEnumerable<ChatTurnUpdate> StreamAsync(PreparedChatTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var (service, kernel, settings) = Configure(turn);
        var started = Stopwatch.GetTimestamp();
        var prompt = turn.History.ToList();
        var updates = new List<StreamingChatMessageContent>();
        var text = new StringBuilder();
        var stored = false;
        var stream = service.GetStreamingChatMessageContentsAsync(turn.History, settings, kernel, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        var cited = 0;
        try
        {
            while (true)
            {
                // Passages retrieved before the call, then those the model's own searches found.
                foreach (var source in turn.Citations.From(cited))
                {
                    cited++;
                    yield return new ChatTurnCitation(source);
                }


                DomainException? failure = null;
                try
                {
                    if (!await stream.MoveNextAsync())
                    {
                        break;
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    failure = e as DomainException ?? Unexpected(e);
                }

                if (failure is not null)
                {
                    await StoreReplyAsync(turn, text.ToString(), MessageStatus.Failed, usageReader.Read(prompt, updates), Elapsed(started),
                        null, failure, CancellationToken.None);
                    stored = true;
                    yield return new ChatTurnFailed(failure);
                    yield break;
                }

                updates.Add(stream.Current);
                if (!string.IsNullOrEmpty(stream.Current.Content))
                {
                    text.Append(stream.Current.Content);
                    yield return new ChatTurnDelta(stream.Current.Content);
                }
            }

            foreach (var source in turn.Citations.From(cited))
            {
                yield return new ChatTurnCitation(source);
            }

            var result = await StoreReplyAsync(turn, text.ToString(), MessageStatus.Completed, usageReader.Read(prompt, updates),
                Elapsed(started), FinishReason(updates.LastOrDefault(u => u.Metadata?.ContainsKey("FinishReason") == true)?.Metadata),
                error: null, cancellationToken);
            stored = true;
            yield return new ChatTurnCompleted(result);
        }
        finally
        {
            await stream.DisposeAsync();
            if (!stored)
            {
                // The consumer stopped or the call was cancelled: keep the partial answer, and charge what was generated.
                await StoreReplyAsync(turn, text.ToString(), MessageStatus.Cancelled, usageReader.Read(prompt, updates),
                    Elapsed(started), "cancelled", error: null, CancellationToken.None);
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

    private async Task<List<Message>> LoadHistoryAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var newestFirst = await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Status != MessageStatus.Failed && m.Content != "")
            .OrderByDescending(m => m.Id).Take(HistoryMessagesLoaded).ToListAsync(cancellationToken);
        newestFirst.Reverse();
        return newestFirst;
    }

    private async Task<Message> StoreUserMessageAsync(Conversation conversation, string content, CancellationToken cancellationToken)
    {
        var now = Now;
        var message = new Message
        {
            TenantId = conversation.TenantId,
            ConversationId = conversation.Id,
            Role = MessageRole.User,
            Content = content,
            CreatedAt = now,
        };
        return await db.InTransactionAsync(async ct =>
        {
            db.Messages.Add(message);
            await db.SaveChangesAsync(ct);
            await CountMessageAsync(conversation.Id, now, ct);
            return message;
        }, cancellationToken);
    }

    private async Task<ChatTurnResult> StoreReplyAsync(
        PreparedChatTurn turn, string content, MessageStatus status, ModelUsage usage, long latencyMs, string? finishReason,
        DomainException? error, CancellationToken cancellationToken)
    {
        var model = turn.Model;
        var cost = model.CostOf(usage);
        var now = Now;
        var sources = turn.Citations.From(0);
        return await db.InTransactionAsync(async ct =>
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
