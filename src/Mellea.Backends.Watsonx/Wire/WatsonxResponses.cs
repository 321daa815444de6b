using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.Watsonx.Wire;

/// <summary>A whole <c>/ml/v1/text/chat</c> answer (WXO <c>TextChatResponse</c>). Unknown fields are skipped.</summary>
internal sealed class WatsonxChatResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("model_id")]
    public string? ModelId { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("choices")]
    public List<WatsonxChoice>? Choices { get; set; }

    [JsonPropertyName("usage")]
    public WatsonxUsage? Usage { get; set; }
}

internal sealed class WatsonxChoice
{
    [JsonPropertyName("index")]
    public int Index { get; set; }

    [JsonPropertyName("message")]
    public WatsonxResponseMessage? Message { get; set; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; set; }
}

internal sealed class WatsonxResponseMessage
{
    [JsonPropertyName("content")]
    public string? Content { get; set; }

    [JsonPropertyName("reasoning_content")]
    public string? ReasoningContent { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<WatsonxResponseToolCall>? ToolCalls { get; set; }
}

internal sealed class WatsonxResponseToolCall
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("function")]
    public WatsonxResponseFunction? Function { get; set; }
}

internal sealed class WatsonxResponseFunction
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>A JSON string in the spec; read as any JSON value so an object is kept too.</summary>
    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

internal sealed class WatsonxUsage
{
    [JsonPropertyName("prompt_tokens")]
    public long? PromptTokens { get; set; }

    [JsonPropertyName("completion_tokens")]
    public long? CompletionTokens { get; set; }

    [JsonPropertyName("total_tokens")]
    public long? TotalTokens { get; set; }
}

/// <summary>IBM Cloud IAM's token answer.</summary>
internal sealed class IamTokenResponse
{
    [JsonPropertyName("access_token")]
    public string? AccessToken { get; set; }

    [JsonPropertyName("expires_in")]
    public long? ExpiresIn { get; set; }

    /// <summary>Unix seconds.</summary>
    [JsonPropertyName("expiration")]
    public long? Expiration { get; set; }
}
