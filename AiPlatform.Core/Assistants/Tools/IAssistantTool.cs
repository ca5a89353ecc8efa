using Microsoft.SemanticKernel;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>
/// A capability an assistant can be given by name in its <c>tools</c> list. Each becomes a Semantic
/// Kernel plugin for one chat turn, so the model can call it through automatic function calling.
/// </summary>
public interface IAssistantTool
{
    /// <summary>The name assistants list it under (snake_case, e.g. <c>current_time</c>).</summary>
    string Name { get; }

    string Description { get; }

    /// <summary>Builds the plugin for one turn, bound to the tenant the turn runs for.</summary>
    KernelPlugin CreatePlugin(ToolContext context);
}

/// <summary>What a tool may know about the turn it serves; <paramref name="Citations"/> collects the passages it retrieves.</summary>
public sealed record ToolContext(Guid TenantId, Guid? UserId, Guid? AssistantId, Knowledge.Search.KnowledgeCitations? Citations = null);
