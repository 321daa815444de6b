using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.HuggingFace.Wire;

/// <summary>The body of TGI's <c>POST /generate</c>. Unset (null) properties are left out of the JSON.</summary>
internal sealed class TgiGenerateRequest
{
    [JsonPropertyName("inputs")]
    public string Inputs { get; set; } = string.Empty;

    [JsonPropertyName("parameters")]
    public TgiParameters Parameters { get; set; } = new();
}

/// <summary>TGI's <c>GenerateParameters</c>.</summary>
internal sealed class TgiParameters
{
    [JsonPropertyName("max_new_tokens")]
    public int? MaxNewTokens { get; set; }

    [JsonPropertyName("temperature")]
    public double? Temperature { get; set; }

    [JsonPropertyName("top_k")]
    public int? TopK { get; set; }

    [JsonPropertyName("top_p")]
    public double? TopP { get; set; }

    [JsonPropertyName("stop")]
    public List<string>? Stop { get; set; }

    [JsonPropertyName("seed")]
    public long? Seed { get; set; }

    [JsonPropertyName("frequency_penalty")]
    public double? FrequencyPenalty { get; set; }

    [JsonPropertyName("do_sample")]
    public bool? DoSample { get; set; }

    [JsonPropertyName("grammar")]
    public TgiGrammar? Grammar { get; set; }

    /// <summary>Always true: the finish reason and the generated-token count are in <c>details</c>.</summary>
    [JsonPropertyName("details")]
    public bool Details { get; set; } = true;

    /// <summary>Always false: a raw completion is the continuation only.</summary>
    [JsonPropertyName("return_full_text")]
    public bool ReturnFullText { get; set; }

    /// <summary>Other parameters (<c>repetition_penalty</c>, <c>typical_p</c>, <c>truncate</c>, …) from <see cref="GenerationOptions.AdditionalProperties"/>.</summary>
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? AdditionalProperties { get; set; }
}

/// <summary>TGI's guided-generation grammar: <c>{"type":"json","value":schema}</c>.</summary>
internal sealed class TgiGrammar
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "json";

    [JsonPropertyName("value")]
    public JsonElement Value { get; set; }
}

/// <summary>TGI's Messages API response format: <c>{"type":"json_object","value":schema}</c>.</summary>
internal sealed class TgiResponseFormat
{
    [JsonPropertyName("type")]
    public string Type { get; set; } = "json_object";

    [JsonPropertyName("value")]
    public JsonElement Value { get; set; }
}
