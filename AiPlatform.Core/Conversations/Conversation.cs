using AiPlatform.Core.Common;

namespace AiPlatform.Core.Conversations;

public enum ConversationStatus
{
    Active,
    Closed,
    Archived,
}

public sealed class Conversation : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public Guid AssistantId { get; init; }
    public Guid UserId { get; init; }
    public required string Title { get; set; }
    public ConversationStatus Status { get; set; } = ConversationStatus.Active;
    public string? CloseReason { get; set; }
    public string? Summary { get; set; }
    public int? Rating { get; set; }
    public int MessageCount { get; set; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? LastMessageAt { get; set; }
}
