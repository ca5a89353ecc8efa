using AiPlatform.Web.Services;

namespace AiPlatform.Web.Components.Pages.Chat;

public enum MessageState
{
    /// <summary>The user's message is on its way; the API has not confirmed storing it.</summary>
    Sending,

    /// <summary>The reply is arriving.</summary>
    Streaming,

    Completed,
    Failed,

    /// <summary>Stopped before the end; the API keeps what had arrived.</summary>
    Cancelled,
}

/// <summary>One message as the chat shows it: stored ones from history, and the two a turn in progress adds.</summary>
public sealed class ChatMessageView
{
    private ChatMessageView(string role, string content, MessageState state)
    {
        Role = role;
        Content = content;
        State = state;
    }

    public string Role { get; }
    public string Content { get; private set; }
    public MessageState State { get; private set; }
    public string? Model { get; private init; }
    public int? PromptTokens { get; private set; }
    public int? CompletionTokens { get; private set; }
    public decimal? Cost { get; private set; }
    public string? ErrorMessage { get; private set; }

    /// <summary>The documents the reply cites, each place once, in the order they were retrieved.</summary>
    public IReadOnlyList<MessageSource> Sources => _sources;

    private readonly List<MessageSource> _sources = [];

    public bool IsUser => Role == MessageRoles.User;

    public static ChatMessageView From(ChatMessage message) => new ChatMessageView(message.Role, message.Content, message.Status switch
    {
        MessageStatuses.Failed => MessageState.Failed,
        MessageStatuses.Cancelled => MessageState.Cancelled,
        _ => MessageState.Completed,
    })
    {
        Model = message.Model,
        PromptTokens = message.PromptTokens,
        CompletionTokens = message.CompletionTokens,
        ErrorMessage = message.Error?.Message,
    }.WithSources(message.Sources ?? []);

    public static ChatMessageView Outgoing(string content) => new(MessageRoles.User, content, MessageState.Sending);

    public static ChatMessageView Incoming(string? model) => new(MessageRoles.Assistant, "", MessageState.Streaming) { Model = model };

    public void MarkStored() => State = MessageState.Completed;

    public void Append(string text) => Content += text;

    public void Cite(MessageSource source)
    {
        // Several passages of one page read as one source.
        if (!_sources.Any(s => s.DocumentId == source.DocumentId && s.Page == source.Page))
        {
            _sources.Add(source);
        }
    }

    private ChatMessageView WithSources(IEnumerable<MessageSource> sources)
    {
        foreach (var source in sources)
        {
            Cite(source);
        }
        return this;
    }

    public void SetUsage(ReplyUsage usage)
    {
        PromptTokens = usage.PromptTokens;
        CompletionTokens = usage.CompletionTokens;
        Cost = usage.Cost;
    }

    public void Complete() => State = MessageState.Completed;

    public void Fail(string message)
    {
        State = MessageState.Failed;
        ErrorMessage = message;
    }

    public void Cancel() => State = MessageState.Cancelled;
}
