using System.ComponentModel;
using System.Diagnostics;
using AiPlatform.Core.AI;
using AiPlatform.Core.Common;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace AiPlatform.IntegrationTests.AI;

/// <summary>
/// A provider's model called through the real resolver, named HttpClient and resilience pipeline, against a
/// <see cref="FakeOpenAiServer"/> speaking the OpenAI protocol.
/// </summary>
public sealed class ChatModelPipelineTests
{
    private static ChatHistory Conversation()
    {
        var history = new ChatHistory("You are terse.");
        history.AddUserMessage("What is the capital of France?");
        return history;
    }

    [Fact]
    public async Task Plain_turn_answers_and_reports_the_provider_usage()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Text("Paris.") with { PromptTokens = 17, CompletionTokens = 2 });
        var history = Conversation();

        var reply = await ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(history);

        Assert.Equal("Paris.", reply.Content);
        Assert.Equal(new ModelUsage(17, 2), ai.UsageReader.Read(history, [reply]));
        var request = Assert.Single(ai.Server.ChatRequests);
        Assert.Equal(AiTestHost.Model, request.Json.GetProperty("model").GetString());
        Assert.Equal(["system", "user"], request.Messages.Select(m => m.GetProperty("role").GetString()));
        Assert.Equal($"Bearer {AiTestHost.ApiKey}", request.Headers["Authorization"]);
    }

    [Fact]
    public async Task Streamed_turn_arrives_in_chunks_and_the_sdk_asks_for_usage()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Text("The capital is Paris.") with { PromptTokens = 21, CompletionTokens = 4 });
        var history = Conversation();

        var updates = await ai.Resolver.Resolve(AiTestHost.Model).GetStreamingChatMessageContentsAsync(history).ToListAsync();

        Assert.Equal("The capital is Paris.", string.Concat(updates.Select(u => u.Content)));
        Assert.True(updates.Count(u => !string.IsNullOrEmpty(u.Content)) >= 4, "one update per streamed word");
        var request = Assert.Single(ai.Server.ChatRequests).Json;
        Assert.True(request.GetProperty("stream").GetBoolean());
        Assert.True(request.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(new ModelUsage(21, 4), ai.UsageReader.Read(history, updates));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Automatic_function_calling_runs_the_tool_and_sends_its_result_back(bool streaming)
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(
            FakeReply.ToolCall("clock-now", "{\"zone\":\"UTC\"}", "call_clock") with { PromptTokens = 30, CompletionTokens = 7 },
            FakeReply.Text("It is noon on 1 January 2030.") with { PromptTokens = 45, CompletionTokens = 9 });
        var kernel = new Kernel();
        kernel.Plugins.AddFromObject(new ClockPlugin(), "clock");
        var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };
        var history = Conversation();
        var prompt = history.ToList();
        var service = ai.Resolver.Resolve(AiTestHost.Model);

        ModelUsage usage;
        string answer;
        if (streaming)
        {
            var updates = await service.GetStreamingChatMessageContentsAsync(history, settings, kernel).ToListAsync();
            answer = string.Concat(updates.Select(u => u.Content));
            usage = ai.UsageReader.Read(prompt, updates);
        }
        else
        {
            var reply = await service.GetChatMessageContentAsync(history, settings, kernel);
            answer = reply.Content!;
            usage = ai.UsageReader.Read(prompt, [.. history.Skip(prompt.Count), reply]);
        }

        Assert.Equal("It is noon on 1 January 2030.", answer);
        Assert.Equal(new ModelUsage(75, 16), usage);
        var requests = ai.Server.ChatRequests;
        Assert.Equal(2, requests.Count);
        var tool = Assert.Single(requests[0].Json.GetProperty("tools").EnumerateArray());
        Assert.Equal("clock-now", tool.GetProperty("function").GetProperty("name").GetString());
        var sent = requests[1].Messages;
        Assert.Equal(["system", "user", "assistant", "tool"], sent.Select(m => m.GetProperty("role").GetString()));
        var call = Assert.Single(sent[2].GetProperty("tool_calls").EnumerateArray());
        Assert.Equal("call_clock", call.GetProperty("id").GetString());
        Assert.Equal("call_clock", sent[3].GetProperty("tool_call_id").GetString());
        Assert.Contains("2030-01-01T12:00:00Z in UTC", sent[3].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_429_is_retried_after_the_wait_its_Retry_After_asks_for()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Status(429, retryAfter: TimeSpan.FromSeconds(1)), FakeReply.Text("Paris."));

        var reply = await ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation());

        Assert.Equal("Paris.", reply.Content);
        var requests = ai.Server.ChatRequests;
        Assert.Equal(2, requests.Count);
        // RetryDelayMs is 10 here: only Retry-After explains a wait of a second.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(950),
            $"waited only {(requests[1].ReceivedAt - requests[0].ReceivedAt).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_provider_that_keeps_failing_is_503_after_the_retries()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Status(500), FakeReply.Status(502), FakeReply.Status(500));

        var failure = await Assert.ThrowsAsync<DomainException>(() =>
            ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation()));

        AssertUnavailable(failure, 503);
        Assert.Equal(3, ai.Server.ChatRequests.Count);
        Assert.DoesNotContain(ai.Logs.Lines, l => l.Contains(AiTestHost.ApiKey));
    }

    [Fact]
    public async Task Once_the_circuit_opens_the_provider_is_not_called()
    {
        await using var ai = await AiTestHost.StartAsync(settings: new()
        {
            ["AI:Resilience:MaxRetryAttempts"] = "1",
            ["AI:Resilience:CircuitBreakerMinimumThroughput"] = "2",
        });
        ai.Server.Enqueue(FakeReply.Status(500), FakeReply.Status(500));
        var service = ai.Resolver.Resolve(AiTestHost.Model);
        await Assert.ThrowsAsync<DomainException>(() => service.GetChatMessageContentAsync(Conversation()));

        var failure = await Assert.ThrowsAsync<DomainException>(() => service.GetChatMessageContentAsync(Conversation()));

        AssertUnavailable(failure, 503);
        Assert.Contains("not being called", failure.Message);
        Assert.Equal(2, ai.Server.ChatRequests.Count);
    }

    [Fact]
    public async Task A_streamed_call_to_a_failing_provider_is_503_before_any_update()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Status(503), FakeReply.Status(503), FakeReply.Status(503));
        var updates = new List<StreamingChatMessageContent>();

        var failure = await Assert.ThrowsAsync<DomainException>(async () =>
        {
            await foreach (var update in ai.Resolver.Resolve(AiTestHost.Model).GetStreamingChatMessageContentsAsync(Conversation()))
            {
                updates.Add(update);
            }
        });

        AssertUnavailable(failure, 503);
        Assert.Empty(updates);
    }

    [Theory]
    [InlineData(false, "{\"choices\": [ this is not json")]
    [InlineData(true, "{\"choices\": [ this is not json")]
    [InlineData(false, "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"fake-gpt\"}")]
    public async Task A_malformed_answer_is_502(bool streaming, string body)
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Malformed(body));
        var service = ai.Resolver.Resolve(AiTestHost.Model);

        var failure = await Assert.ThrowsAsync<DomainException>(async () =>
        {
            if (streaming)
            {
                await service.GetStreamingChatMessageContentsAsync(Conversation()).ToListAsync();
            }
            else
            {
                await service.GetChatMessageContentAsync(Conversation());
            }
        });

        AssertUnavailable(failure, 502);
        Assert.Contains("malformed", failure.Message);
        Assert.Single(ai.Server.ChatRequests);
    }

    [Fact]
    public async Task An_unreachable_provider_is_503()
    {
        var closed = await FakeOpenAiServer.StartAsync();
        var endpoint = closed.Endpoint.ToString();
        await closed.DisposeAsync();
        await using var ai = await AiTestHost.StartAsync(settings: new() { ["AI:Providers:0:Endpoint"] = endpoint });

        var failure = await Assert.ThrowsAsync<DomainException>(() =>
            ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation()));

        AssertUnavailable(failure, 503);
        Assert.Contains("could not be reached", failure.Message);
    }

    [Fact]
    public async Task A_provider_that_never_answers_times_out_as_503()
    {
        await using var ai = await AiTestHost.StartAsync(settings: AiTestHost.ShortAttemptTimeout);
        ai.Server.Enqueue(FakeReply.Hang(), FakeReply.Hang(), FakeReply.Hang());

        var failure = await Assert.ThrowsAsync<DomainException>(() =>
            ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation()));

        AssertUnavailable(failure, 503);
        Assert.Contains("did not answer in time", failure.Message);
        Assert.Equal(3, ai.Server.ChatRequests.Count);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_provider_failure()
    {
        await using var ai = await AiTestHost.StartAsync(settings: new() { ["AI:Resilience:AttemptTimeoutSeconds"] = "5" });
        ai.Server.Enqueue(FakeReply.Hang());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation(), cancellationToken: cancel.Token));
    }

    [Fact]
    public async Task A_stream_that_breaks_after_it_began_is_not_retried()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Text("one two three four five six") with { AbortAfterChunks = 3 });
        var received = new List<string?>();

        var failure = await Assert.ThrowsAsync<DomainException>(async () =>
        {
            await foreach (var update in ai.Resolver.Resolve(AiTestHost.Model).GetStreamingChatMessageContentsAsync(Conversation()))
            {
                received.Add(update.Content);
            }
        });

        AssertUnavailable(failure, 503);
        Assert.Equal("one two ", string.Concat(received));
        Assert.Single(ai.Server.ChatRequests);
    }

    [Fact]
    public async Task A_stream_may_last_longer_than_the_attempt_timeout()
    {
        // The attempt timeout (1 s here) only runs until the response headers: the rest of a stream is the caller's.
        await using var ai = await AiTestHost.StartAsync(settings: AiTestHost.ShortAttemptTimeout);
        ai.Server.Enqueue(FakeReply.Text("a slow answer that keeps on streaming for a while") with { ChunkDelay = TimeSpan.FromMilliseconds(150) });
        var watch = Stopwatch.StartNew();

        var updates = await ai.Resolver.Resolve(AiTestHost.Model).GetStreamingChatMessageContentsAsync(Conversation()).ToListAsync();

        Assert.True(watch.Elapsed > TimeSpan.FromSeconds(1.2), $"the stream took only {watch.Elapsed}");
        Assert.Equal("a slow answer that keeps on streaming for a while", string.Concat(updates.Select(u => u.Content)));
        Assert.Single(ai.Server.ChatRequests);
    }

    [Fact]
    public async Task Azure_gets_its_key_in_the_api_key_header_and_the_deployment_as_model()
    {
        await using var ai = await AiTestHost.StartAsync(AiProviderKinds.AzureOpenAI);

        var reply = await ai.Resolver.Resolve(AiTestHost.Model).GetChatMessageContentAsync(Conversation());

        Assert.Equal(FakeOpenAiServer.DefaultText, reply.Content);
        var request = Assert.Single(ai.Server.ChatRequests);
        Assert.Equal(AiTestHost.ApiKey, request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
        Assert.Equal(AiTestHost.Model, request.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task The_local_model_needs_no_server()
    {
        await using var ai = await AiTestHost.StartAsync();

        var service = ai.Resolver.Resolve(ModelCatalog.LocalModelId);
        var reply = await service.GetChatMessageContentAsync(Conversation());

        Assert.IsType<LocalChatCompletionService>(service);
        Assert.StartsWith(LocalChatCompletionService.OfflineNotice, reply.Content);
        Assert.Empty(ai.Server.Requests);
    }

    [Fact]
    public async Task An_unknown_model_is_422_on_model()
    {
        await using var ai = await AiTestHost.StartAsync();

        var failure = Assert.Throws<DomainException>(() => ai.Resolver.Resolve("gpt-unknown"));

        Assert.Equal(422, failure.StatusCode);
        Assert.Equal(ErrorCodes.ValidationError, failure.Code);
    }

    [Fact]
    public async Task Each_provider_client_has_exactly_one_resilience_handler_with_its_own_options()
    {
        await using var ai = await AiTestHost.StartAsync(settings: AiTestHost.ShortAttemptTimeout);

        var chain = AiTestHost.HandlerChain(ai.Services, AiModelsExtensions.HttpClientName(AiTestHost.Provider));

        Assert.Single(chain.OfType<ResilienceHandler>());
        var options = ai.Services.GetRequiredService<IOptionsMonitor<HttpStandardResilienceOptions>>().Get("ai-fake-standard");
        Assert.Equal(TimeSpan.FromSeconds(1), options.AttemptTimeout.Timeout);
        Assert.Equal(2, options.Retry.MaxRetryAttempts);
        Assert.True(options.Retry.ShouldRetryAfterHeader);
    }

    [Fact]
    public async Task The_api_key_appears_in_no_log_line()
    {
        await using var ai = await AiTestHost.StartAsync();
        ai.Server.Enqueue(FakeReply.Status(401), FakeReply.Malformed());
        var service = ai.Resolver.Resolve(AiTestHost.Model);

        await Assert.ThrowsAsync<DomainException>(() => service.GetChatMessageContentAsync(Conversation()));
        await Assert.ThrowsAsync<DomainException>(() => service.GetChatMessageContentAsync(Conversation()));
        await service.GetChatMessageContentAsync(Conversation());
        await service.GetStreamingChatMessageContentsAsync(Conversation()).ToListAsync();

        Assert.NotEmpty(ai.Logs.Lines);
        Assert.DoesNotContain(ai.Logs.Lines, l => l.Contains(AiTestHost.ApiKey) || l.Contains("SECRET"));
    }

    private static void AssertUnavailable(DomainException failure, int status)
    {
        Assert.Equal(status, failure.StatusCode);
        Assert.Equal(ErrorCodes.AiServiceUnavailable, failure.Code);
        Assert.Contains($"'{AiTestHost.Provider}'", failure.Message);
        Assert.DoesNotContain(AiTestHost.ApiKey, failure.Message);
    }

    private sealed class ClockPlugin
    {
        [KernelFunction("now")]
        [Description("The current date and time in a time zone.")]
        public string Now([Description("An IANA time zone")] string zone) => $"2030-01-01T12:00:00Z in {zone}";
    }
}
