using System.Text.Json;

namespace Mellea.Tools;

/// <summary>Turns what a function returned into the text of a tool result.</summary>
internal static class ToolResultText
{
    public static string Format(object? result, JsonSerializerOptions serializerOptions) => result switch
    {
        null => "null",
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(result, serializerOptions.GetTypeInfo(result.GetType())),
    };
}
