using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Mellea.Tools;

/// <summary>
/// Turns the model's argument text into <see cref="AIFunctionArguments"/>, checking it against the tool's JSON schema first, so
/// that a malformed call becomes an error result that names the parameter instead of an exception from deep inside the binder.
/// </summary>
/// <remarks>
/// This reads the schema that <see cref="AIFunctionFactory"/> made; it does not make schemas. It checks what models get wrong
/// in practice: text that is not a JSON object, a missing required parameter, and a value of the wrong JSON type.
/// </remarks>
internal static class ToolArgumentBinder
{
    public static bool TryBind(RegisteredTool tool, string argumentsJson, out AIFunctionArguments arguments, out string? problem)
    {
        arguments = new AIFunctionArguments();
        problem = null;

        // Providers send an empty string for a call without arguments.
        if (string.IsNullOrWhiteSpace(argumentsJson))
        {
            argumentsJson = "{}";
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(argumentsJson);
        }
        catch (JsonException)
        {
            problem = "the arguments are not valid JSON; send a JSON object with the parameters";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                problem = "the arguments must be a JSON object with the parameters";
                return false;
            }

            var schema = tool.Function.JsonSchema;
            if (schema.ValueKind == JsonValueKind.Object)
            {
                if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
                {
                    foreach (var name in required.EnumerateArray())
                    {
                        if (name.ValueKind == JsonValueKind.String && !root.TryGetProperty(name.GetString()!, out _))
                        {
                            problem = $"the required parameter '{name.GetString()}' is missing";
                            return false;
                        }
                    }
                }

                if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in root.EnumerateObject())
                    {
                        if (properties.TryGetProperty(property.Name, out var propertySchema)
                            && ExpectedTypes(propertySchema) is { } expected
                            && !Matches(expected, property.Value))
                        {
                            problem = $"the parameter '{property.Name}' must be {Describe(expected)}, but the value is {KindName(property.Value.ValueKind)}";
                            return false;
                        }
                    }
                }
            }

            foreach (var property in root.EnumerateObject())
            {
                arguments[property.Name] = property.Value.Clone();
            }
        }

        return true;
    }

    private static JsonElement? ExpectedTypes(JsonElement propertySchema) =>
        propertySchema.ValueKind == JsonValueKind.Object && propertySchema.TryGetProperty("type", out var type)
            && type.ValueKind is JsonValueKind.String or JsonValueKind.Array
            ? type
            : null;

    private static bool Matches(JsonElement expected, JsonElement value)
    {
        if (expected.ValueKind == JsonValueKind.String)
        {
            return MatchesOne(expected.GetString(), value);
        }

        foreach (var type in expected.EnumerateArray())
        {
            if (type.ValueKind == JsonValueKind.String && MatchesOne(type.GetString(), value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesOne(string? type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        "null" => value.ValueKind == JsonValueKind.Null,

        // A type this check does not know: let the function's own binder decide.
        _ => true,
    };

    private static string Describe(JsonElement expected) =>
        expected.ValueKind == JsonValueKind.String
            ? $"of type {expected.GetString()}"
            : $"of type {string.Join(" or ", expected.EnumerateArray().Select(t => t.ToString()))}";

    private static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        _ => "undefined",
    };
}
