using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.Ollama.Wire;

/// <summary>The body of <c>POST /api/chat</c>. Unset (null) properties are left out of the JSON.</summary>
internal sealed class OllamaChatRequest
{
    [JsonPropertyName("model")]
    public string Model { get; set; } = string.Empty;

    [JsonPropertyName("messages")]
    public List<OllamaMessage> Messages { get; set; } = [];

    [JsonPropertyName("tools")]
    public List<OllamaTool>? Tools { get; set; }

    [JsonPropertyName("stream")]
    public bool Stream { get; set; }

    /// <summary><c>"json"</c> or a JSON schema object.</summary>
    [JsonPropertyName("format")]
    public JsonElement? Format { get; set; }

    [JsonPropertyName("options")]
    public OllamaOptions? Options { get; set; }

    /// <summary>A bool, or one of <c>"low"</c>, <c>"medium"</c>, <c>"high"</c>.</summary>
    [JsonPropertyName("think")]
    public JsonElement? Think { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>The body of <c>POST /api/generate</c> in raw mode.</summary>
internal sealed class OllamaGenerateRequest
{
    [JsonPropertyName("model")]
    public string Model { get; set; } = string.Empty;

    [JsonPropertyName("prompt")]
    public string Prompt { get; set; } = string.Empty;

    [JsonPropertyName("raw")]
    public bool Raw { get; set; } = true;

    [JsonPropertyName("stream")]
    public bool Stream { get; set; }

    [JsonPropertyName("format")]
    public JsonElement? Format { get; set; }

    [JsonPropertyName("options")]
    public OllamaOptions? Options { get; set; }

    [JsonPropertyName("think")]
    public JsonElement? Think { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

internal sealed class OllamaMessage
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = string.Empty;

    [JsonPropertyName("content")]
    public string Content { get; set; } = string.Empty;

    [JsonPropertyName("tool_calls")]
    public List<OllamaToolCall>? ToolCalls { get; set; }

    /// <summary>On a tool message: the tool whose result this is.</summary>
    [JsonPropertyName("tool_name")]
    public string? ToolName { get; set; }
}

internal sealed class OllamaToolCall
{
    [JsonPropertyName("function")]
    public OllamaFunctionCall Function { get; set; } = new();
}

internal sealed class OllamaFunctionCall
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    /// <summary>A JSON object, not a string: Ollama's native API differs from OpenAI's here.</summary>
    [JsonPropertyName("arguments")]
    public JsonElement Arguments { get; set; }
}

internal sealed class OllamaTool
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public OllamaFunctionDefinition Function { get; set; } = new();
}

internal sealed class OllamaFunctionDefinition
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; set; }
}

/// <summary>Ollama's <c>options</c>: sampling and runtime knobs under their native names.</summary>
internal sealed class OllamaOptions
{
    [JsonPropertyName("num_predict")]
    public int? NumPredict { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? Stop { get; set; }

    [JsonPropertyName("num_ctx")]
    public int? NumCtx { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public double? FrequencyPenalty { get; set; }

    [JsonPropertyName("presence_penalty")]
    public double? PresencePenalty { get; set; }

    /// <summary>Other options (<c>min_p</c>, <c>repeat_penalty</c>, <c>num_gpu</c>, …) from <see cref="GenerationOptions.AdditionalProperties"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
