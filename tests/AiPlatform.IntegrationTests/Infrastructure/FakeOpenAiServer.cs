using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Net;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>
/// An OpenAI-compatible model server on 127.0.0.1 (Kestrel, a free port) speaking the real wire protocol:
/// <c>POST /v1/chat/completions</c> as JSON or, when the request says <c>"stream": true</c>, as server-sent events
/// (<c>data: {chunk}</c> … <c>data: [DONE]</c>, usage in a last chunk when <c>stream_options.include_usage</c>),
/// tool calls included; and <c>POST /v1/embeddings</c> with deterministic vectors.
/// Tests script the replies (<see cref="Enqueue"/>; an empty queue answers <see cref="DefaultText"/>) and read back
/// every request body (<see cref="Requests"/>); benchmarks can make the embeddings cheap (<see cref="CheapEmbeddings"/>).
/// Thread-safe.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string DefaultText = "Hello from the fake model.";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<FakeReply> _chatReplies = new();
    private readonly ConcurrentQueue<FakeReply> _embeddingReplies = new();
    private readonly ConcurrentDictionary<string, bool> _hangingTexts = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly CancellationTokenSource _stopping = new();

    private FakeOpenAiServer(WebApplication app) => _app = app;

    /// <summary>The base address a provider is configured with, e.g. <c>http://127.0.0.1:5123/v1</c>.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Length of the vectors <c>/v1/embeddings</c> returns unless the request asks for <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; set; } = 64;

    /// <summary>How long <c>/v1/embeddings</c> takes to answer normally: a remote model's latency, for benchmarks.</summary>
    public TimeSpan EmbeddingDelay { get; set; }

    /// <summary>
    /// For benchmarks, where this server stands for another machine and should take little of this one's CPU:
    /// <c>/v1/embeddings</c> records no request and plays no scripted reply, reads the body with <see cref="JsonDocument"/>
    /// and answers each input with a vector seeded by the hash of its bytes, fixed per input but, unlike
    /// <see cref="EmbeddingFor"/>, not closer for texts that share words.
    /// </summary>
    public bool CheapEmbeddings { get; set; }

    /// <summary>
    /// Configuration that makes this server the embedding provider "remote" (model <c>fake-embed</c>, vectors of
    /// <see cref="EmbeddingDimensions"/>) for every tenant, or only for <paramref name="tenantId"/>.
    /// </summary>
    public Dictionary<string, string?> EmbeddingProviderSettings(Guid? tenantId = null) => new()
    {
        [tenantId is { } id ? $"Embeddings:Tenants:{id}" : "Embeddings:Default"] = "remote",
        ["Embeddings:Providers:0:Name"] = "remote",
        ["Embeddings:Providers:0:Endpoint"] = Endpoint.ToString(),
        ["Embeddings:Providers:0:Model"] = "fake-embed",
        ["Embeddings:Providers:0:Dimensions"] = EmbeddingDimensions.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<FakeRequest> ChatRequests => Requests.Where(r => r.Path == "/v1/chat/completions").ToList();

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var server = new FakeOpenAiServer(builder.Build());
        server._app.MapPost("/v1/chat/completions", server.ChatAsync);
        server._app.MapPost("/v1/embeddings", server.EmbeddingsAsync);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.Endpoint = new Uri($"{address.TrimEnd('/')}/v1");
        return server;
    }

    /// <summary>Queues replies for the next chat completion requests, one each, in order.</summary>
    public FakeOpenAiServer Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _chatReplies.Enqueue(reply);
        }

        return this;
    }

    /// <summary>Queues replies (statuses, malformed bodies, hangs) for the next embeddings requests; any other kind answers normally.</summary>
    public FakeOpenAiServer EnqueueEmbeddings(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _embeddingReplies.Enqueue(reply);
        }

        return this;
    }

    /// <summary>From now on, every embeddings request with <paramref name="text"/> in its input hangs.</summary>
    public FakeOpenAiServer HangEmbeddingsContaining(string text)
    {
        _hangingTexts[text] = true;
        return this;
    }

    /// <summary>The deterministic vector for <paramref name="text"/>: hashed word counts, normalised, so texts sharing words are close.</summary>
    public static float[] EmbeddingFor(string text, int dimensions)
    {
        var vector = new float[dimensions];
        foreach (var word in text.ToLowerInvariant().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var token = word.Trim('.', ',', ';', ':', '!', '?', '"', '\'', '(', ')');
            if (token.Length > 0)
            {
                vector[(int)(StableHash(token) % (uint)dimensions)] += 1;
            }
        }

        return Normalize(vector);
    }

    public async ValueTask DisposeAsync()
    {
        // Hanging replies end now rather than holding up the shutdown.
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task ChatAsync(HttpContext context)
    {
        var body = await Record(context);
        var reply = _chatReplies.TryDequeue(out var next) ? next : FakeReply.Text(DefaultText);
        var stream = body["stream"]?.GetValue<bool>() == true;
        var includeUsage = body["stream_options"]?["include_usage"]?.GetValue<bool>() == true;
        var model = body["model"]?.GetValue<string>() ?? "fake";
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(reply.FirstTokenDelay, aborted.Token);
            await (reply switch
            {
                StatusReply status => WriteStatusAsync(context, status),
                HangReply => Task.Delay(Timeout.Infinite, aborted.Token),
                MalformedReply malformed when stream => WriteEventsAsync(context, [malformed.Body], reply, aborted.Token),
                MalformedReply malformed => WriteJsonAsync(context, malformed.Body),
                _ when stream => WriteEventsAsync(context, Chunks(reply, model, body, includeUsage), reply, aborted.Token),
                _ => WriteJsonAsync(context, Completion(reply, model, body).ToJsonString()),
            });
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away (or the server stops) mid-reply.
        }
    }

    private async Task EmbeddingsAsync(HttpContext context)
    {
        if (CheapEmbeddings)
        {
            await CheapEmbeddingsAsync(context);
            return;
        }

        var body = await Record(context);
        var input = body["input"]!.ToJsonString();
        var reply = _hangingTexts.Keys.Any(input.Contains) ? FakeReply.Hang() : _embeddingReplies.TryDequeue(out var next) ? next : null;
        if (reply is StatusReply or HangReply or MalformedReply)
        {
            using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            try
            {
                await (reply switch
                {
                    StatusReply status => WriteStatusAsync(context, status),
                    MalformedReply malformed => WriteJsonAsync(context, malformed.Body),
                    _ => Task.Delay(Timeout.Infinite, aborted.Token),
                });
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
            }

            return;
        }

        await RemoteLatencyAsync(context);
        var inputs = body["input"] is JsonArray array ? array.Select(i => i!.GetValue<string>()).ToList() : [body["input"]!.GetValue<string>()];
        var dimensions = body["dimensions"]?.GetValue<int>() ?? EmbeddingDimensions;
        // The OpenAI SDK asks for base64 (little-endian float32s) unless told otherwise.
        var base64 = body["encoding_format"]?.GetValue<string>() == "base64";
        var data = new JsonArray();
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = EmbeddingFor(inputs[i], dimensions);
            JsonNode embedding = base64
                ? Convert.ToBase64String(MemoryMarshal.AsBytes(vector.AsSpan()))
                : new JsonArray([.. vector.Select(v => (JsonNode)v)]);
            data.Add(new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = embedding });
        }

        var tokens = inputs.Sum(WordCount);
        await WriteJsonAsync(context, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = body["model"]?.GetValue<string>() ?? "fake-embeddings",
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        }.ToJsonString());
    }

    private async Task CheapEmbeddingsAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        await RemoteLatencyAsync(context);
        var request = body.RootElement;
        var input = request.GetProperty("input");
        var vector = new float[request.TryGetProperty("dimensions", out var dimensions) ? dimensions.GetInt32() : EmbeddingDimensions];
        var base64 = request.TryGetProperty("encoding_format", out var format) && format.ValueEquals("base64");
        var reply = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(reply))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            var (index, bytes) = (0, 0);
            foreach (var text in input.ValueKind == JsonValueKind.Array ? input.EnumerateArray() : (IEnumerable<JsonElement>)[input])
            {
                var raw = JsonMarshal.GetRawUtf8Value(text);
                bytes += raw.Length;
                var random = new Random(unchecked((int)XxHash3.HashToUInt64(raw)));
                for (var i = 0; i < vector.Length; i++)
                {
                    vector[i] = random.NextSingle() - 0.5f;
                }

                Normalize(vector);
                json.WriteStartObject();
                json.WriteString("object", "embedding");
                json.WriteNumber("index", index++);
                if (base64)
                {
                    json.WriteBase64String("embedding", MemoryMarshal.AsBytes(vector.AsSpan()));
                }
                else
                {
                    json.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        json.WriteNumberValue(value);
                    }
                    json.WriteEndArray();
                }
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteString("model", request.TryGetProperty("model", out var model) ? model.GetString() : "fake-embeddings");
            // About four bytes of text per token.
            json.WriteStartObject("usage");
            json.WriteNumber("prompt_tokens", bytes / 4);
            json.WriteNumber("total_tokens", bytes / 4);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(reply.WrittenMemory, context.RequestAborted);
    }

    /// <summary>The remote model's time for a call (<see cref="EmbeddingDelay"/>), once the request has arrived.</summary>
    private Task RemoteLatencyAsync(HttpContext context) =>
        EmbeddingDelay > TimeSpan.Zero ? Task.Delay(EmbeddingDelay, context.RequestAborted) : Task.CompletedTask;

    private async Task<JsonNode> Record(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        lock (_requests)
        {
            _requests.Add(new FakeRequest(context.Request.Path, text, headers, DateTimeOffset.UtcNow));
        }

        return JsonNode.Parse(text)!;
    }

    private static Task WriteStatusAsync(HttpContext context, StatusReply status)
    {
        context.Response.StatusCode = status.StatusCode;
        if (status.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
        }

        return WriteJsonAsync(context, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = $"Scripted failure {status.StatusCode}.", ["type"] = "server_error", ["code"] = null },
        }.ToJsonString());
    }

    private static async Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json);
    }

    private static async Task WriteEventsAsync(HttpContext context, IEnumerable<string> events, FakeReply reply, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        var sent = 0;
        foreach (var data in events.Append("[DONE]"))
        {
            // A text reply opens with a chunk holding only the role; its first words follow at once, as OpenAI's do.
            if (sent > 1 || (sent == 1 && reply is not TextReply))
            {
                await Task.Delay(reply.ChunkDelay, cancellationToken);
            }

            if (sent == reply.AbortAfterChunks)
            {
                // A reset discards whatever the client has not read yet: let it read what was sent first.
                await Task.Delay(reply.ChunkDelay > TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(100), cancellationToken);
                context.Abort();
                return;
            }

            await context.Response.WriteAsync($"data: {data}\n\n", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            sent++;
        }
    }

    private static JsonObject Completion(FakeReply reply, string model, JsonNode request)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        string finishReason;
        if (reply is ToolCallReply call)
        {
            message["content"] = null;
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = call.CallId,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = call.FunctionName, ["arguments"] = call.ArgumentsJson },
            });
            finishReason = "tool_calls";
        }
        else
        {
            message["content"] = ((TextReply)reply).Content;
            message["refusal"] = null;
            finishReason = "stop";
        }

        var completion = Envelope("chat.completion", model);
        completion["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0, ["message"] = message, ["logprobs"] = null, ["finish_reason"] = finishReason,
        });
        completion["usage"] = Usage(reply, request);
        return completion;
    }

    private static IEnumerable<string> Chunks(FakeReply reply, string model, JsonNode request, bool includeUsage)
    {
        var id = $"chatcmpl-{Guid.NewGuid():N}";
        string Chunk(JsonObject delta, string? finishReason)
        {
            var chunk = Envelope("chat.completion.chunk", model, id);
            chunk["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finishReason });
            return chunk.ToJsonString();
        }

        if (reply is ToolCallReply call)
        {
            yield return Chunk(new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["tool_calls"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0, ["id"] = call.CallId, ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.FunctionName, ["arguments"] = "" },
                }),
            }, null);
            // Arguments arrive in fragments, as real providers send them.
            foreach (var fragment in call.ArgumentsJson.Chunk(8).Select(c => new string(c)))
            {
                yield return Chunk(new JsonObject
                {
                    ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = fragment } }),
                }, null);
            }

            yield return Chunk([], "tool_calls");
        }
        else
        {
            yield return Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "" }, null);
            foreach (var piece in ((TextReply)reply).Pieces)
            {
                yield return Chunk(new JsonObject { ["content"] = piece }, null);
            }

            yield return Chunk([], "stop");
        }

        if (includeUsage)
        {
            var usageChunk = Envelope("chat.completion.chunk", model, id);
            usageChunk["choices"] = new JsonArray();
            usageChunk["usage"] = Usage(reply, request);
            yield return usageChunk.ToJsonString();
        }
    }

    private static JsonObject Envelope(string kind, string model, string? id = null) => new()
    {
        ["id"] = id ?? $"chatcmpl-{Guid.NewGuid():N}",
        ["object"] = kind,
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = model,
        ["system_fingerprint"] = "fp_fake",
    };

    /// <summary>The reply's scripted usage, or words in the request's messages and pieces of the reply.</summary>
    private static JsonObject Usage(FakeReply reply, JsonNode request)
    {
        var prompt = reply.PromptTokens ?? request["messages"]!.AsArray().Sum(m => WordCount(m?["content"]?.ToString() ?? ""));
        var completion = reply.CompletionTokens ?? reply switch
        {
            TextReply text => text.Pieces.Count,
            ToolCallReply call => WordCount(call.FunctionName + " " + call.ArgumentsJson),
            _ => 0,
        };
        return new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
    }

    /// <summary>Scales <paramref name="vector"/> to length 1, as real embeddings are; a zero vector becomes the first axis.</summary>
    private static float[] Normalize(float[] vector)
    {
        var norm = MathF.Sqrt(vector.Sum(v => v * v));
        if (norm == 0)
        {
            vector[0] = 1;
            return vector;
        }

        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }

        return vector;
    }

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    /// <summary>FNV-1a: unlike string.GetHashCode, the same in every process.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}

/// <summary>A request the fake received: its path, raw body, headers and when its body had arrived.</summary>
public sealed record FakeRequest(string Path, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset ReceivedAt)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The <c>messages</c> of a chat request, as sent.</summary>
    public IReadOnlyList<JsonElement> Messages => Json.GetProperty("messages").EnumerateArray().ToList();
}

/// <summary>
/// One scripted answer. Delays apply before the first byte and between streamed chunks (not between a text reply's
/// opening role-only chunk and its first words).
/// </summary>
public abstract record FakeReply
{
    public TimeSpan FirstTokenDelay { get; init; }

    public TimeSpan ChunkDelay { get; init; }

    /// <summary>Streamed replies only: the connection is cut after this many events.</summary>
    public int? AbortAfterChunks { get; init; }

    /// <summary>Usage to report; by default words in the request's messages and chunks of the reply.</summary>
    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    /// <summary>An answer, streamed one word (with its trailing space) per chunk.</summary>
    public static TextReply Text(string content) => new(content);

    /// <summary>An assistant message calling <paramref name="functionName"/> (SK names functions <c>plugin-function</c>).</summary>
    public static ToolCallReply ToolCall(string functionName, string argumentsJson = "{}", string? callId = null) =>
        new(functionName, argumentsJson, callId ?? $"call_{Guid.NewGuid():N}");

    public static StatusReply Status(int statusCode, TimeSpan? retryAfter = null) => new(statusCode, retryAfter);

    /// <summary>A 200 whose body (or, streamed, whose one event) is exactly <paramref name="body"/>.</summary>
    public static MalformedReply Malformed(string body = "{\"choices\": [ this is not json") => new(body);

    /// <summary>Never answers; ends when the client gives up or the server stops.</summary>
    public static HangReply Hang() => new();
}

public sealed record TextReply(string Content) : FakeReply
{
    public IReadOnlyList<string> Pieces =>
        System.Text.RegularExpressions.Regex.Matches(Content, @"\S+\s*|\s+").Select(m => m.Value).ToList();
}

public sealed record ToolCallReply(string FunctionName, string ArgumentsJson, string CallId) : FakeReply;

public sealed record StatusReply(int StatusCode, TimeSpan? RetryAfter) : FakeReply;

public sealed record MalformedReply(string Body) : FakeReply;

public sealed record HangReply : FakeReply;
