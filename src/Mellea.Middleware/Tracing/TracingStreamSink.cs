using System.Diagnostics;
using System.Text;

namespace Mellea.Tracing;

/// <summary>
/// Watches a stream for the tracing middleware, only when it must: to add per-chunk events
/// (<c>MELLEA_GENERATION_CHUNK_EVENTS</c>) or to assemble the output text for content capture. Without either, tracing
/// does not touch the stream at all.
/// </summary>
internal sealed class TracingStreamSink : GenerationUpdateSink
{
    private readonly GenerationUpdateSink _inner;
    private readonly Activity _activity;
    private readonly TimeProvider _timeProvider;
    private readonly bool _chunkEvents;
    private readonly Dictionary<int, ChoiceText>? _choices;
    private long _lastChunk;
    private int _index;

    public TracingStreamSink(GenerationUpdateSink inner, Activity activity, TimeProvider timeProvider, bool chunkEvents, bool captureText)
    {
        _inner = inner;
        _activity = activity;
        _timeProvider = timeProvider;
        _chunkEvents = chunkEvents;
        _choices = captureText ? [] : null;
    }

    public GenerationUpdateSink Inner => _inner;

    /// <inheritdoc/>
    internal override GenerationUpdateSink? PassThroughInner => _inner;

    public override ValueTask WriteAsync(ChatResponseUpdate update)
    {
        if (_chunkEvents)
        {
            var now = _timeProvider.GetTimestamp();
            var tags = new ActivityTagsCollection
            {
                [GenAiAttributes.MelleaChunkIndex] = _index,
                [GenAiAttributes.MelleaChunkTextLength] = update.TextDelta?.Length ?? 0,
            };
            if (_index > 0)
            {
                tags[GenAiAttributes.MelleaTimeSinceLastChunkMs] = _timeProvider.GetElapsedTime(_lastChunk, now).TotalMilliseconds;
            }

            _activity.AddEvent(new ActivityEvent(GenAiAttributes.Events.StreamChunk, _timeProvider.GetUtcNow(), tags));
            _lastChunk = now;
            _index++;
        }

        if (_choices is not null)
        {
            if (!_choices.TryGetValue(update.ChoiceIndex, out var choice))
            {
                choice = new ChoiceText();
                _choices[update.ChoiceIndex] = choice;
            }

            choice.Add(update);
        }

        return _inner.WriteAsync(update);
    }

    /// <summary>The assembled choices, for <c>gen_ai.output.messages</c>; null when text was not captured.</summary>
    public IReadOnlyList<ChatChoice>? Choices() =>
        _choices?.OrderBy(p => p.Key).Select(p => p.Value.ToChoice(p.Key)).ToList();

    private sealed class ChoiceText
    {
        private readonly StringBuilder _text = new();
        private readonly Dictionary<int, (StringBuilder Arguments, string? Id, string? Name)> _calls = [];
        private StringBuilder? _reasoning;
        private FinishReason? _finish;

        public void Add(ChatResponseUpdate update)
        {
            _text.Append(update.TextDelta);
            if (update.ReasoningDelta is not null)
            {
                (_reasoning ??= new StringBuilder()).Append(update.ReasoningDelta);
            }

            if (update.ToolCallDeltas is { } deltas)
            {
                foreach (var delta in deltas)
                {
                    if (!_calls.TryGetValue(delta.Index, out var call))
                    {
                        call = (new StringBuilder(), null, null);
                    }

                    call.Arguments.Append(delta.ArgumentsDelta);
                    _calls[delta.Index] = (call.Arguments, delta.CallId ?? call.Id, delta.Name ?? call.Name);
                }
            }

            _finish = update.FinishReason ?? _finish;
        }

        public ChatChoice ToChoice(int index)
        {
            var parts = new List<MessagePart>();
            if (_text.Length > 0)
            {
                parts.Add(new TextPart(_text.ToString()));
            }

            foreach (var call in _calls.OrderBy(c => c.Key))
            {
                parts.Add(new ToolCallPart(call.Value.Id ?? string.Empty, call.Value.Name ?? string.Empty, call.Value.Arguments.ToString()));
            }

            return new ChatChoice(index, new ChatMessage(ChatRole.Assistant, parts), _finish, _reasoning?.ToString());
        }
    }
}
