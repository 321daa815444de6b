namespace Mellea.Testing;

/// <summary>One choice of a scripted answer: text chunks, reasoning chunks, tool calls and a finish reason.</summary>
/// <remarks>
/// <see cref="FinishReason"/> uses the OpenAI vocabulary (<c>stop</c>, <c>length</c>, <c>tool_calls</c>, <c>content_filter</c>) as the
/// neutral form; each wire format translates it into its provider's values (for example Ollama and TGI say <c>stop</c> on tool-call turns).
/// </remarks>
public sealed class ScriptedChoice
{
    /// <summary>The text, in the chunks a stream sends; the non-streamed answer is their concatenation.</summary>
    public IList<string> TextChunks { get; } = [];

    /// <summary>Reasoning text chunks, for formats that carry reasoning (<c>reasoning_content</c>).</summary>
    public IList<string> ReasoningChunks { get; } = [];

    /// <summary>The tool calls, in order.</summary>
    public IList<ScriptedToolCall> ToolCalls { get; } = [];

    /// <summary>The finish reason in the neutral (OpenAI) vocabulary; <see langword="null"/> picks <c>tool_calls</c> when there are tool calls, else <c>stop</c>.</summary>
    public string? FinishReason { get; set; }

    /// <summary>The whole text.</summary>
    public string Text => string.Concat(TextChunks);

    /// <summary>The finish reason to send.</summary>
    public string EffectiveFinishReason => FinishReason ?? (ToolCalls.Count > 0 ? "tool_calls" : "stop");

    /// <inheritdoc/>
    public override string ToString() => $"choice ({TextChunks.Count} chunk(s), {ToolCalls.Count} tool call(s))";
}
