using System.Text;

namespace Mellea.Tools;

/// <summary>
/// Watches one streamed model turn inside the tool loop: text and reasoning go on to the caller at once; tool-call fragments are
/// assembled by <see cref="ToolCallUpdate.Index"/>; the updates that end the turn (tool-call fragments, finish reasons, the final
/// metadata) are held until the loop knows whether this turn is the last one.
/// </summary>
/// <remarks>
/// The caller sees one stream that ends with one final update. A turn the loop continues from is not final, so its held updates
/// are dropped (the caller did not ask for those tools and does not have to answer them); the last turn's held updates are written
/// on, with the final metadata carrying the usage of every turn.
/// </remarks>
internal sealed class ToolTurnSink : GenerationUpdateSink
{
    private readonly GenerationUpdateSink _inner;
    private readonly GenerationContext _context;
    private readonly List<ChatResponseUpdate> _held = [];
    private readonly SortedDictionary<int, PendingCall> _calls = [];
    private StringBuilder? _text;

    public ToolTurnSink(GenerationUpdateSink inner, GenerationContext context)
    {
        _inner = inner;
        _context = context;
    }

    /// <summary>The final metadata of the turn, if the handler sent one.</summary>
    public GenerationMetadata? Metadata { get; private set; }

    public override ValueTask WriteAsync(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (update.ChoiceIndex == 0 && update.TextDelta is { Length: > 0 } text)
        {
            (_text ??= new StringBuilder()).Append(text);
        }

        if (update.Metadata is { } metadata)
        {
            // Middlewares inside the loop (tracing, metrics) read the turn's answer from the context when their next returns;
            // the held update has not reached the caller's side yet, so it is put there now.
            Metadata = metadata;
            _context.Metadata = metadata;
        }

        var hasToolCalls = update.ToolCallDeltas is { Count: > 0 };
        if (hasToolCalls && update.ChoiceIndex == 0)
        {
            Assemble(update.ToolCallDeltas!);
        }

        if (!hasToolCalls && update.FinishReason is null && update.Metadata is null)
        {
            return _inner.WriteAsync(update);
        }

        if (update.TextDelta is null && update.ReasoningDelta is null)
        {
            _held.Add(update);
            return default;
        }

        // Rare: text and an ending in one update. The text goes on now; the ending waits.
        _held.Add(new ChatResponseUpdate
        {
            ChoiceIndex = update.ChoiceIndex,
            ToolCallDeltas = update.ToolCallDeltas,
            FinishReason = update.FinishReason,
            Metadata = update.Metadata,
        });
        return _inner.WriteAsync(new ChatResponseUpdate { ChoiceIndex = update.ChoiceIndex, TextDelta = update.TextDelta, ReasoningDelta = update.ReasoningDelta });
    }

    /// <summary>The assembled tool calls of the first choice, in index order.</summary>
    public IReadOnlyList<ToolCallPart> ToolCalls()
    {
        if (_calls.Count == 0)
        {
            return [];
        }

        var calls = new List<ToolCallPart>(_calls.Count);
        foreach (var call in _calls.Values)
        {
            calls.Add(new ToolCallPart(call.CallId ?? string.Empty, call.Name ?? string.Empty, call.Arguments.ToString()));
        }

        return calls;
    }

    /// <summary>The assistant message of the turn: its text, then its tool calls.</summary>
    public ChatMessage AssistantMessage(IReadOnlyList<ToolCallPart> calls)
    {
        var parts = new List<MessagePart>(calls.Count + 1);
        if (_text is { Length: > 0 })
        {
            parts.Add(new TextPart(_text.ToString()));
        }

        parts.AddRange(calls);
        return new ChatMessage(ChatRole.Assistant, parts);
    }

    /// <summary>Writes the held updates on to the caller: this turn is the last one.</summary>
    /// <param name="finalMetadata">Replaces the metadata of the final update (the usage of every turn), or null to keep it.</param>
    public async ValueTask FlushAsync(GenerationMetadata? finalMetadata)
    {
        foreach (var update in _held)
        {
            var onward = finalMetadata is not null && update.Metadata is not null
                ? new ChatResponseUpdate
                {
                    ChoiceIndex = update.ChoiceIndex,
                    TextDelta = update.TextDelta,
                    ReasoningDelta = update.ReasoningDelta,
                    ToolCallDeltas = update.ToolCallDeltas,
                    FinishReason = update.FinishReason,
                    Metadata = finalMetadata,
                }
                : update;
            await _inner.WriteAsync(onward).ConfigureAwait(false);
        }

        _held.Clear();
    }

    private void Assemble(IReadOnlyList<ToolCallUpdate> deltas)
    {
        foreach (var delta in deltas)
        {
            if (!_calls.TryGetValue(delta.Index, out var call))
            {
                call = new PendingCall();
                _calls.Add(delta.Index, call);
            }

            call.CallId ??= delta.CallId;
            call.Name ??= delta.Name;
            if (delta.ArgumentsDelta is { } fragment)
            {
                call.Arguments.Append(fragment);
            }
        }
    }

    private sealed class PendingCall
    {
        public string? CallId { get; set; }

        public string? Name { get; set; }

        public StringBuilder Arguments { get; } = new();
    }
}
