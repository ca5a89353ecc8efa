using Microsoft.SemanticKernel;

namespace AiPlatform.Core.Assistants.Tools;

/// <summary>Every tool the platform offers, by name; assistants may only list names it knows.</summary>
public sealed class ToolRegistry(IEnumerable<IAssistantTool> tools)
{
    private readonly Dictionary<string, IAssistantTool> _tools = tools.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IAssistantTool> All => _tools.Values;

    public bool Exists(string name) => _tools.ContainsKey(name);

    public IEnumerable<KernelPlugin> CreatePlugins(IEnumerable<string> names, ToolContext context) =>
        names.Where(_tools.ContainsKey).Select(name => _tools[name].CreatePlugin(context));
}
