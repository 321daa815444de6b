using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.Watsonx.Wire;

/// <summary>The body of <c>POST /ml/v1/text/chat</c> and <c>/chat_stream</c> (WXO <c>TextChatRequest</c>). Null properties are left out.</summary>
internal sealed class WatsonxChatRequest
{
    [JsonPropertyName("model_id")]
    public string ModelId { get; set; } = string.Empty;

    [JsonPropertyName("messages")]
    public List<WatsonxMessage> Messages { get; set; } = [];

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; set; }

    [JsonPropertyName("space_id")]
    public string? SpaceId { get; set; }

    [JsonPropertyName("tools")]
    public List<WatsonxTool>? Tools { get; set; }

    /// <summary><c>none</c>, <c>auto</c> or <c>required</c>.</summary>
    [JsonPropertyName("tool_choice_option")]
    public string? ToolChoiceOption { get; set; }

    /// <summary>A named tool: <c>{"type":"function","function":{"name"}}</c>.</summary>
    [JsonPropertyName("tool_choice")]
    public WatsonxNamedToolChoice? ToolChoice { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public double? FrequencyPenalty { get; set; }

    [JsonPropertyName("presence_penalty")]
    public double? PresencePenalty { get; set; }

    [JsonPropertyName("max_completion_tokens")]
    public int? MaxCompletionTokens { get; set; }

    [JsonPropertyName("n")]
    public int? N { get; set; }

    [JsonPropertyName("response_format")]
    public WatsonxResponseFormat? ResponseFormat { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? Stop { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    [JsonPropertyName("reasoning_effort")]
    public string? ReasoningEffort { get; set; }

    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

internal sealed class WatsonxMessage
{
    [JsonPropertyName("role")]
    public string Role { get; set; } = string.Empty;

    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<WatsonxToolCall>? ToolCalls { get; set; }

    [JsonPropertyName("tool_call_id")]
    public string? ToolCallId { get; set; }
}

internal sealed class WatsonxToolCall
{
    [JsonPropertyName("id")]
    public string Id { get; set; } = string.Empty;

    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public WatsonxFunctionCall Function { get; set; } = new();
}

internal sealed class WatsonxFunctionCall
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("arguments")]
    public string Arguments { get; set; } = string.Empty;
}

internal sealed class WatsonxTool
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public WatsonxFunctionDefinition Function { get; set; } = new();
}

internal sealed class WatsonxFunctionDefinition
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("description")]
    public string? Description { get; set; }

    [JsonPropertyName("parameters")]
    public JsonElement? Parameters { get; set; }
}

internal sealed class WatsonxNamedToolChoice
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "function";

    [JsonPropertyName("function")]
    public WatsonxToolName Function { get; set; } = new();
}

internal sealed class WatsonxToolName
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;
}

internal sealed class WatsonxResponseFormat
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "text";

    [JsonPropertyName("json_schema")]
    public WatsonxJsonSchema? JsonSchema { get; set; }
}

internal sealed class WatsonxJsonSchema
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = string.Empty;

    [JsonPropertyName("schema")]
    public JsonElement? Schema { get; set; }

    [JsonPropertyName("strict")]
    public bool? Strict { get; set; }
}

/// <summary>The body of <c>POST /ml/v1/text/generation</c> (WXO <c>TextGenRequest</c>).</summary>
internal sealed class WatsonxGenerationRequest
{
    [JsonPropertyName("model_id")]
    public string ModelId { get; set; } = string.Empty;

    [JsonPropertyName("input")]
    public string Input { get; set; } = string.Empty;

    [JsonPropertyName("project_id")]
    public string? ProjectId { get; set; }

    [JsonPropertyName("space_id")]
    public string? SpaceId { get; set; }

    [JsonPropertyName("parameters")]
    public WatsonxGenerationParameters? Parameters { get; set; }
}

/// <summary>WXO <c>TextGenParameters</c>.</summary>
internal sealed class WatsonxGenerationParameters
{
    /// <summary><c>greedy</c> or <c>sample</c>.</summary>
    [JsonPropertyName("decoding_method")]
    public string? DecodingMethod { get; set; }

    [JsonPropertyName("max_new_tokens")]
    public int? MaxNewTokens { get; set; }

    [JsonPropertyName("random_seed")]
    public long? RandomSeed { get; set; }

    [JsonPropertyName("stop_sequences")]
    public List<string>? StopSequences { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    /// <summary>Other parameters (<c>repetition_penalty</c>, <c>min_new_tokens</c>, <c>time_limit</c>, …) from <see cref="GenerationOptions.AdditionalProperties"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}
