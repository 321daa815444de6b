using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Mellea.Tools;

/// <summary>A registered function with its Mellea definition, both made once when the middleware is built.</summary>
internal sealed class RegisteredTool
{
    public RegisteredTool(AIFunction function)
    {
        Function = function;
        Description = string.IsNullOrEmpty(function.Description) ? null : function.Description;

        // The schema comes from AIFunctionFactory (or whoever made the AIFunction); Mellea only copies it.
        var schema = function.JsonSchema;
        Definition = new ToolDefinition(function.Name, Description, schema.ValueKind == JsonValueKind.Object ? schema.Clone() : null);
    }

    public AIFunction Function { get; }

    public string Name => Function.Name;

    public string? Description { get; }

    public ToolDefinition Definition { get; }
}
