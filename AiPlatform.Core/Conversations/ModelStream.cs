using System.Diagnostics;
using AiPlatform.Core.Common;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.Core.Conversations;

/// <summary>
/// A streamed model call under way: its first step is requested at once, so the call goes out before whoever holds it
/// is ready to read. <see cref="Prompt"/> is the history as sent (Semantic Kernel appends tool calls to the history it
/// was given); disposing it stops a call that has not finished its current step.
/// </summary>
public sealed class ModelStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly IAsyncEnumerator<StreamingChatMessageContent> _updates;
    private readonly Func<Exception, DomainException> _failure;

    internal ModelStream(
        IChatCompletionService service, ChatHistory history, PromptExecutionSettings settings, Kernel kernel,
        Func<Exception, DomainException> failure, CancellationToken cancellationToken)
    {
        Started = Stopwatch.GetTimestamp();
        Prompt = history.ToList();
        _failure = failure;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _updates = service.GetStreamingChatMessageContentsAsync(history, settings, kernel, _cancellation.Token).GetAsyncEnumerator(_cancellation.Token);
        Next = MoveNextAsync();
    }

    public long Started { get; }

    public IReadOnlyList<ChatMessageContent> Prompt { get; }

    /// <summary>The current step: false at the stream's end, or the failure (a cancellation is thrown as it is).</summary>
    public Task<(bool Moved, DomainException? Failure)> Next { get; private set; }

    public StreamingChatMessageContent Current => _updates.Current;

    public void Advance() => Next = MoveNextAsync();

    /// <summary>Stops the call; the current step ends (cancelled) before this returns, so nothing else uses the stream meanwhile.</summary>
    public async Task StopAsync()
    {
        await _cancellation.CancelAsync();
        await ((Task)Next).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        if (!Next.IsCompleted)
        {
            await StopAsync();
        }

        await _updates.DisposeAsync();
        _cancellation.Dispose();
    }

    private async Task<(bool Moved, DomainException? Failure)> MoveNextAsync()
    {
        try
        {
            return (await _updates.MoveNextAsync(), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (false, _failure(e));
        }
    }
}
