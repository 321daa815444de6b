using System.Text.Json;

namespace Mellea;

/// <summary>A function tool that the model may call.</summary>
public sealed class ToolDefinition
{
    /// <summary>Creates a tool definition.</summary>
    /// <param name="name">The tool's name. Must not be empty.</param>
    /// <param name="description">What the tool does, for the model.</param>
    /// <param name="parametersSchema">The JSON schema of the arguments object; <see langword="null"/> for a tool without parameters.</param>
    public ToolDefinition(string name, string? description = null, JsonElement? parametersSchema = null)
    {
        Name = name ?? throw new ArgumentNullException(nameof(name));
        Description = description;
        ParametersSchema = parametersSchema;
    }

    /// <summary>The tool's name.</summary>
    public string Name { get; }

    /// <summary>What the tool does.</summary>
    public string? Description { get; }

    /// <summary>The JSON schema of the arguments object.</summary>
    public JsonElement? ParametersSchema { get; }

    /// <inheritdoc/>
    public override string ToString() => $"tool {Name}";
}
