using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.Core.AI;

/// <summary>
/// A remote provider's connector whose failures come out as <see cref="Common.DomainException"/>s naming the provider
/// (<see cref="AiFailures"/>), so no caller has to know what Semantic Kernel, the OpenAI SDK or Polly throw.
/// A cancellation by the caller passes through as it is.
/// </summary>
internal sealed class ProviderChatCompletionService(IChatCompletionService connector, string provider, ILogger logger)
    : IChatCompletionService
{
    public IReadOnlyDictionary<string, object?> Attributes => connector.Attributes;

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        CancellationToken cancellationToken = default)
    {
        try
        {
            return await connector.GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && AiFailures.ToDomainException(e, provider) is { } failure)
        {
            throw Logged(e, failure);
        }
    }

    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var updates = connector.GetStreamingChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken)
            .GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            // A yield cannot sit in a try with a catch: only moving on is guarded.
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && AiFailures.ToDomainException(e, provider) is { } failure)
            {
                throw Logged(e, failure);
            }

            yield return updates.Current;
        }
    }

    private Exception Logged(Exception cause, Common.DomainException failure)
    {
        // The envelope says only what the user can act on; the cause is for operators.
        logger.LogWarning(cause, "Model call to AI provider {Provider} failed: {Failure}", provider, failure.Message);
        return failure;
    }
}
