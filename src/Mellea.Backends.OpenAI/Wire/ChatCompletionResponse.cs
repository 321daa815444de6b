using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.OpenAI.Wire;

/// <summary>A whole <c>chat.completion</c> or <c>text_completion</c> body. Unknown fields are skipped.</summary>
internal sealed class ChatCompletionResponse
{
    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("choices")]
    public List<WireChoice>? Choices { get; set; }

    [JsonPropertyName("usage")]
    public WireUsage? Usage { get; set; }

    /// <summary>Some OpenAI-compatible servers answer 200 with an error body.</summary>
    [JsonPropertyName("error")]
    public JsonElement? Error { get; set; }
}

internal sealed class WireChoice
{
    [JsonPropertyName("index")]
    public int Index { get; set; }

    [JsonPropertyName("message")]
    public WireResponseMessage? Message { get; set; }

    /// <summary>The text of a <c>text_completion</c> choice.</summary>
    [JsonPropertyName("text")]
    public string? Text { get; set; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; set; }
}

internal sealed class WireResponseMessage
{
    [JsonPropertyName("content")]
    public string? Content { get; set; }

    /// <summary>Reasoning text as LiteLLM and vLLM send it.</summary>
    [JsonPropertyName("reasoning_content")]
    public string? ReasoningContent { get; set; }

    /// <summary>Reasoning text as Ollama's OpenAI layer and others send it.</summary>
    [JsonPropertyName("reasoning")]
    public string? Reasoning { get; set; }

    [JsonPropertyName("tool_calls")]
    public List<WireResponseToolCall>? ToolCalls { get; set; }

    /// <summary>The deprecated single function call of a <c>functions</c> request.</summary>
    [JsonPropertyName("function_call")]
    public WireResponseFunction? FunctionCall { get; set; }
}

internal sealed class WireResponseToolCall
{
    /// <summary>A string on OpenAI; an int on TGI 1.4, so read as any JSON value.</summary>
    [JsonPropertyName("id")]
    public JsonElement? Id { get; set; }

    [JsonPropertyName("function")]
    public WireResponseFunction? Function { get; set; }
}

internal sealed class WireResponseFunction
{
    [JsonPropertyName("name")]
    public string? Name { get; set; }

    /// <summary>A JSON string on OpenAI; an object on some compatible servers, so read as any JSON value.</summary>
    [JsonPropertyName("arguments")]
    public JsonElement? Arguments { get; set; }
}

internal sealed class WireUsage
{
    [JsonPropertyName("prompt_tokens")]
    public long? PromptTokens { get; set; }

    [JsonPropertyName("completion_tokens")]
    public long? CompletionTokens { get; set; }

    [JsonPropertyName("total_tokens")]
    public long? TotalTokens { get; set; }

    [JsonPropertyName("prompt_tokens_details")]
    public WirePromptTokensDetails? PromptTokensDetails { get; set; }

    [JsonPropertyName("completion_tokens_details")]
    public WireCompletionTokensDetails? CompletionTokensDetails { get; set; }

    /// <summary>LiteLLM's cache writes for Anthropic upstreams.</summary>
    [JsonPropertyName("cache_creation_input_tokens")]
    public long? CacheCreationInputTokens { get; set; }
}

internal sealed class WirePromptTokensDetails
{
    [JsonPropertyName("cached_tokens")]
    public long? CachedTokens { get; set; }

    [JsonPropertyName("cache_write_tokens")]
    public long? CacheWriteTokens { get; set; }
}

internal sealed class WireCompletionTokensDetails
{
    [JsonPropertyName("reasoning_tokens")]
    public long? ReasoningTokens { get; set; }
}
