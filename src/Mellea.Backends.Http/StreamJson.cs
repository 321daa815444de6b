using System.Text;
using System.Text.Json;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: the <see cref="Utf8JsonReader"/> steps that the streamed-chunk parsers of OpenAI-style chat
/// answers share. Each reads straight off the caller's buffer and allocates only the strings and lists it returns, so a
/// parser stays allocation-light per chunk.
/// </summary>
public static class StreamJson
{
    /// <summary>
    /// Moves onto a property's value: true when it is an object to walk, false (with the value skipped) when it is
    /// anything else (null, a scalar, an array).
    /// </summary>
    /// <param name="reader">A reader positioned on a property name.</param>
    /// <returns>True when the reader now stands on the value's <see cref="JsonTokenType.StartObject"/>.</returns>
    public static bool EnterObject(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    /// <summary>
    /// Moves past the value the reader stands on, for a parser that reads one token per step: an object or array is skipped
    /// whole; a scalar needs nothing (the next <see cref="Utf8JsonReader.Read"/> passes it).
    /// </summary>
    /// <param name="reader">A reader positioned on the value.</param>
    public static void SkipValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            reader.Skip();
        }
    }

    /// <summary>Reads a property's value as a whole number: null when it is not a number or does not fit a <see cref="long"/>.</summary>
    /// <param name="reader">A reader positioned on a property name.</param>
    /// <returns>The number, or null.</returns>
    public static long? ReadLong(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : null;
    }

    /// <summary>
    /// Reads a property's value as text: a string (null when empty, since an empty delta carries nothing), a number's
    /// literal, or an object's or array's raw JSON; null for anything else.
    /// </summary>
    /// <param name="reader">A reader positioned on a property name.</param>
    /// <returns>The text, or null.</returns>
    public static string? ReadText(ref Utf8JsonReader reader)
    {
        reader.Read();
        return ValueText(ref reader);
    }

    /// <summary>
    /// <see cref="ReadText"/> for a reader that already stands on the value (a parser that reads one token per step).
    /// </summary>
    /// <param name="reader">A reader positioned on the value.</param>
    /// <returns>The text, or null.</returns>
    public static string? ValueText(ref Utf8JsonReader reader)
    {
        return reader.TokenType switch
        {
            JsonTokenType.String => reader.ValueTextEquals(""u8) ? null : reader.GetString(),
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.StartObject or JsonTokenType.StartArray => ReadRaw(ref reader),
            _ => null,
        };
    }

    /// <summary>
    /// Reads a finish reason string. The common values (<c>stop</c>, <c>length</c>, <c>tool_calls</c>) come back as interned
    /// literals so that a finish chunk allocates no string; a JSON null reads as <c>stop</c>.
    /// </summary>
    /// <param name="reader">A reader positioned on the value, a <see cref="JsonTokenType.String"/>.</param>
    /// <returns>The raw finish reason.</returns>
    public static string ReadFinishReason(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("stop"u8))
        {
            return "stop";
        }

        if (reader.ValueTextEquals("length"u8))
        {
            return "length";
        }

        if (reader.ValueTextEquals("tool_calls"u8))
        {
            return "tool_calls";
        }

        return reader.GetString() ?? "stop";
    }

    /// <summary>
    /// Reads an OpenAI-style <c>tool_calls</c> delta array (<c>[{"index", "id", "function": {"name", "arguments"}}]</c>).
    /// A call without an <c>index</c> takes its position in the array.
    /// </summary>
    /// <param name="reader">A reader positioned on the array's <see cref="JsonTokenType.StartArray"/>.</param>
    /// <returns>One <see cref="ToolCallUpdate"/> per element, in order.</returns>
    public static List<ToolCallUpdate> ReadToolCalls(ref Utf8JsonReader reader)
    {
        var calls = new List<ToolCallUpdate>(1);
        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            var index = calls.Count;
            string? id = null;
            string? name = null;
            string? arguments = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("index"u8))
                {
                    reader.Read();
                    index = reader.TokenType == JsonTokenType.Number ? reader.GetInt32() : index;
                }
                else if (reader.ValueTextEquals("id"u8))
                {
                    id = ReadText(ref reader);
                }
                else if (reader.ValueTextEquals("function"u8))
                {
                    var inFunction = EnterObject(ref reader);
                    while (inFunction && reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            name = ReadText(ref reader);
                        }
                        else if (reader.ValueTextEquals("arguments"u8))
                        {
                            arguments = ReadText(ref reader);
                        }
                        else
                        {
                            reader.Read();
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            calls.Add(new ToolCallUpdate { Index = index, CallId = id, Name = name, ArgumentsDelta = arguments });
        }

        return calls;
    }

    private static string ReadRaw(ref Utf8JsonReader reader)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }
}
