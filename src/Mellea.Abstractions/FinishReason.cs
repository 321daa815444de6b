namespace Mellea;

/// <summary>The normalized kinds of <see cref="FinishReason"/> (the OTel GenAI finish-reason values).</summary>
public enum FinishReasonKind
{
    /// <summary>A value the normalization table does not know; <see cref="FinishReason.Value"/> is the raw value.</summary>
    Other,

    /// <summary>The model ended its answer, or produced a stop sequence (<c>stop</c>).</summary>
    Stop,

    /// <summary>A token or time budget ended the answer (<c>length</c>).</summary>
    Length,

    /// <summary>The model asked for tool calls (<c>tool_call</c>).</summary>
    ToolCall,

    /// <summary>A content filter cut the answer (<c>content_filter</c>).</summary>
    ContentFilter,

    /// <summary>The provider reported an error (<c>error</c>).</summary>
    Error,
}

/// <summary>Why generation stopped: the normalized kind and the provider's raw value.</summary>
/// <param name="Kind">The normalized kind.</param>
/// <param name="Raw">The provider's own value, kept for provider-specific analysis (for example watsonx <c>time_limit</c>).</param>
public readonly record struct FinishReason(FinishReasonKind Kind, string Raw)
{
    /// <summary>The value for <c>gen_ai.response.finish_reasons</c>: the normalized name, or the raw value for <see cref="FinishReasonKind.Other"/>.</summary>
    public string Value => Kind switch
    {
        FinishReasonKind.Stop => "stop",
        FinishReasonKind.Length => "length",
        FinishReasonKind.ToolCall => "tool_call",
        FinishReasonKind.ContentFilter => "content_filter",
        FinishReasonKind.Error => "error",
        _ => Raw,
    };

    /// <summary>
    /// Normalizes a provider value with the table every backend shares (shared/reference/backends.md section 6).
    /// A plain stop on a turn that carries tool calls becomes <see cref="FinishReasonKind.ToolCall"/>: TGI, Ollama
    /// and watsonx say "stop" on tool-call turns.
    /// </summary>
    /// <param name="raw">The provider's value.</param>
    /// <param name="hasToolCalls">Whether the choice carries tool calls.</param>
    public static FinishReason Normalize(string raw, bool hasToolCalls = false)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var kind = raw switch
        {
            "stop" or "eos_token" or "stop_sequence" or "end_turn" => FinishReasonKind.Stop,
            "length" or "max_tokens" or "token_limit" or "time_limit" or "model_length" => FinishReasonKind.Length,
            "tool_calls" or "tool_call" or "function_call" or "tool_use" => FinishReasonKind.ToolCall,
            "content_filter" => FinishReasonKind.ContentFilter,
            "error" or "cancelled" => FinishReasonKind.Error,
            _ => FinishReasonKind.Other,
        };
        if (kind == FinishReasonKind.Stop && hasToolCalls)
        {
            kind = FinishReasonKind.ToolCall;
        }

        return new FinishReason(kind, raw);
    }

    /// <inheritdoc/>
    public override string ToString() => Value == Raw ? Value : $"{Value} ({Raw})";
}
