using System.Text.Json;

namespace Mellea;

/// <summary>The format the model must answer in: text, any JSON, or JSON that follows a schema.</summary>
public sealed class ResponseFormat
{
    private ResponseFormat(ResponseFormatKind kind, string? schemaName, JsonElement? schema, bool strict)
    {
        Kind = kind;
        SchemaName = schemaName;
        Schema = schema;
        Strict = strict;
    }

    /// <summary>Plain text.</summary>
    public static ResponseFormat Text { get; } = new(ResponseFormatKind.Text, null, null, false);

    /// <summary>Any valid JSON.</summary>
    public static ResponseFormat Json { get; } = new(ResponseFormatKind.Json, null, null, false);

    /// <summary>JSON that follows <paramref name="schema"/>.</summary>
    /// <param name="name">The schema's name (providers require one; it also names the format in telemetry).</param>
    /// <param name="schema">The JSON schema.</param>
    /// <param name="strict">Whether the provider must follow the schema exactly, where it supports that.</param>
    public static ResponseFormat ForJsonSchema(string name, JsonElement schema, bool strict = true)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A JSON schema response format needs a name.", nameof(name));
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("The JSON schema must be a JSON object.", nameof(schema));
        }

        return new(ResponseFormatKind.JsonSchema, name, schema.Clone(), strict);
    }

    /// <summary>The kind of format.</summary>
    public ResponseFormatKind Kind { get; }

    /// <summary>The schema's name, for <see cref="ResponseFormatKind.JsonSchema"/>.</summary>
    public string? SchemaName { get; }

    /// <summary>The schema, for <see cref="ResponseFormatKind.JsonSchema"/>.</summary>
    public JsonElement? Schema { get; }

    /// <summary>Whether the schema must be followed exactly.</summary>
    public bool Strict { get; }

    /// <summary>The OTel <c>gen_ai.output.type</c> value: <c>text</c> or <c>json</c>.</summary>
    public string OutputType => Kind == ResponseFormatKind.Text ? "text" : "json";

    /// <inheritdoc/>
    public override string ToString() => Kind == ResponseFormatKind.JsonSchema ? $"json_schema {SchemaName}" : OutputType;
}

/// <summary>The kinds of <see cref="ResponseFormat"/>.</summary>
public enum ResponseFormatKind
{
    /// <summary>Plain text.</summary>
    Text,

    /// <summary>Any JSON.</summary>
    Json,

    /// <summary>JSON following a schema.</summary>
    JsonSchema,
}
