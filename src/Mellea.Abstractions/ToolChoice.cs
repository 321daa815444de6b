namespace Mellea;

/// <summary>How the model may use the offered tools.</summary>
public readonly record struct ToolChoice
{
    private ToolChoice(ToolChoiceMode mode, string? toolName)
    {
        Mode = mode;
        ToolName = toolName;
    }

    /// <summary>The model decides (<c>auto</c>).</summary>
    public static ToolChoice Auto { get; } = new(ToolChoiceMode.Auto, null);

    /// <summary>The model must not call a tool (<c>none</c>).</summary>
    public static ToolChoice None { get; } = new(ToolChoiceMode.None, null);

    /// <summary>The model must call some tool (<c>required</c>).</summary>
    public static ToolChoice Required { get; } = new(ToolChoiceMode.Required, null);

    /// <summary>The model must call the named tool.</summary>
    /// <param name="toolName">The tool's name.</param>
    public static ToolChoice Specific(string toolName) =>
        new(ToolChoiceMode.Specific, string.IsNullOrWhiteSpace(toolName) ? throw new ArgumentException("A tool name is required.", nameof(toolName)) : toolName);

    /// <summary>The mode.</summary>
    public ToolChoiceMode Mode { get; }

    /// <summary>The tool's name when <see cref="Mode"/> is <see cref="ToolChoiceMode.Specific"/>.</summary>
    public string? ToolName { get; }
}

/// <summary>The kinds of <see cref="ToolChoice"/>.</summary>
public enum ToolChoiceMode
{
    /// <summary>The model decides.</summary>
    Auto,

    /// <summary>No tool calls.</summary>
    None,

    /// <summary>At least one tool call.</summary>
    Required,

    /// <summary>A call of one named tool.</summary>
    Specific,
}
