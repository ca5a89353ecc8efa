using AiPlatform.Core.Common;

namespace AiPlatform.Core.Assistants;

public enum AssistantStatus
{
    Draft,
    Active,
    Inactive,
}

/// <summary>A configured persona: which model it runs on, how it is prompted, which tools it may call.</summary>
public sealed class Assistant : ITenantOwned
{
    public Guid Id { get; init; } = Guid.CreateVersion7();
    public Guid TenantId { get; init; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public string? Personality { get; set; }
    public string? SystemPrompt { get; set; }
    public required string Model { get; set; }
    public double Temperature { get; set; } = 0.7;
    public int? MaxTokens { get; set; }
    public List<string> Tools { get; set; } = [];
    public AssistantStatus Status { get; set; } = AssistantStatus.Draft;
    public string? Category { get; set; }
    public Guid CreatedByUserId { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; set; }
}
