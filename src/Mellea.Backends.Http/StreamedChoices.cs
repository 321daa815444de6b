using System.Text.Json;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: reads an OpenAI-style chat stream's chunks (<see cref="ReadChunk"/>) and keeps what the answer, with one
/// or more choices, accumulates across them, so that the final
/// <see cref="GenerationMetadata"/> matches what the whole answer would have given. It tracks, per choice, whether tool calls
/// came (a <c>stop</c> after tool calls is a tool-call finish) and the normalized finish reason; the first non-empty response id
/// and model; the last usage; and the updates a chunk with several choices produced beyond its first. Make one per stream; it
/// allocates per choice, never per chunk.
/// </summary>
/// <remarks>
/// A stream is complete only when the provider's own end signal arrived: the format's end marker (<see cref="MarkEndSignal"/>, OpenAI-style
/// <c>data: [DONE]</c>) or a finish reason on every choice the stream named (watsonx, and routers such as cerebras that end at EOF without
/// <c>[DONE]</c>). A clean end of file before either (a cut connection, a proxy that gave up, an empty 200 body) is not a success:
/// <see cref="Complete"/> throws a transport error, so a prefix never passes for the whole answer.
/// </remarks>
public sealed partial class StreamedChoices
{
    /// <summary>The highest choice index accepted; a larger one is a malformed chunk, not a reason to grow a list without bound.</summary>
    public const int MaxChoiceIndex = 1024;

    private readonly string _indexOutOfRangeMessage;
    private readonly string _endSignal;
    private readonly List<ChoiceState> _choices = [];
    private Queue<ChatResponseUpdate>? _pending;
    private bool _endSignalArrived;

    /// <summary>Creates the state of one stream whose end signal is a finish reason on every choice.</summary>
    /// <param name="indexOutOfRangeMessage">The <see cref="JsonException"/> message for a choice index below 0 or above <see cref="MaxChoiceIndex"/>.</param>
    public StreamedChoices(string indexOutOfRangeMessage)
        : this(indexOutOfRangeMessage, "a finish reason on every choice")
    {
    }

    /// <summary>Creates the state of one stream.</summary>
    /// <param name="indexOutOfRangeMessage">The <see cref="JsonException"/> message for a choice index below 0 or above <see cref="MaxChoiceIndex"/>.</param>
    /// <param name="endSignal">The format's end signal in words, for the error of a stream cut before it (for example <c>data: [DONE]</c>).</param>
    public StreamedChoices(string indexOutOfRangeMessage, string endSignal)
    {
        _indexOutOfRangeMessage = indexOutOfRangeMessage;
        _endSignal = endSignal;
    }

    /// <summary>
    /// Whether the stream's end signal arrived: the format's end marker, or a finish reason on every choice named so far (at least one).
    /// </summary>
    public bool Ended => _endSignalArrived || (_choices.Count > 0 && _choices.TrueForAll(static c => c.Finish is not null));

    /// <summary>Records the format's own end marker (OpenAI-style <c>data: [DONE]</c>): the stream is complete, finish reasons or not.</summary>
    public void MarkEndSignal() => _endSignalArrived = true;

    /// <summary>The first non-empty response id the stream named.</summary>
    public string? ResponseId { get; private set; }

    /// <summary>The first non-empty model name the stream named.</summary>
    public string? ResponseModel { get; private set; }

    /// <summary>The usage the stream reported last (providers send it once, on or after the finishing chunk).</summary>
    public UsageDetails? Usage { get; set; }

    // A response id value, kept when it is the first non-empty string.
    private void KeepResponseId(ref Utf8JsonReader reader)
    {
        if (ResponseId is null && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
        {
            ResponseId = reader.GetString();
        }
    }

    // A model value, kept when it is the first non-empty string.
    private void KeepResponseModel(ref Utf8JsonReader reader)
    {
        if (ResponseModel is null && reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
        {
            ResponseModel = reader.GetString();
        }
    }

    /// <summary>
    /// Records one parsed choice delta and builds its update: null when it carries nothing (no text, reasoning, tool calls or
    /// finish). An empty tool-call list counts as none.
    /// </summary>
    /// <param name="index">The choice index.</param>
    /// <param name="text">The text delta.</param>
    /// <param name="reasoning">The reasoning delta.</param>
    /// <param name="toolCalls">The tool-call deltas.</param>
    /// <param name="finish">The provider's raw finish reason, normalized here with what the choice has seen so far.</param>
    /// <returns>The update, or null.</returns>
    /// <exception cref="JsonException">The index is out of range.</exception>
    public ChatResponseUpdate? Choice(int index, string? text, string? reasoning, List<ToolCallUpdate>? toolCalls, string? finish)
    {
        var state = State(index);
        if (toolCalls is { Count: > 0 })
        {
            state.HasToolCalls = true;
        }
        else
        {
            toolCalls = null;
        }

        FinishReason? finishReason = null;
        if (finish is not null)
        {
            finishReason = FinishReason.Normalize(finish, state.HasToolCalls);
            state.Finish = finishReason;
        }

        if (text is null && reasoning is null && toolCalls is null && finishReason is null)
        {
            return null;
        }

        return new ChatResponseUpdate { ChoiceIndex = index, TextDelta = text, ReasoningDelta = reasoning, ToolCallDeltas = toolCalls, FinishReason = finishReason };
    }

    /// <summary>Hands on an update of a chunk: the first becomes <paramref name="first"/> (the parser's return), later ones wait for <see cref="TryDequeuePending"/>.</summary>
    /// <param name="update">The update.</param>
    /// <param name="first">The chunk's first update so far.</param>
    public void Deliver(ChatResponseUpdate update, ref ChatResponseUpdate? first)
    {
        if (first is null)
        {
            first = update;
        }
        else
        {
            (_pending ??= new()).Enqueue(update);
        }
    }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    /// <param name="update">The update, when there is one.</param>
    /// <returns>True when an update was waiting.</returns>
    public bool TryDequeuePending(out ChatResponseUpdate update)
    {
        if (_pending is { Count: > 0 } pending)
        {
            update = pending.Dequeue();
            return true;
        }

        update = null!;
        return false;
    }

    /// <summary>
    /// At the end of the body: fills the response id, model, usage (with its total computed) and one finish reason per finished choice
    /// into <paramref name="metadata"/>, once the stream's end signal arrived (<see cref="Ended"/>).
    /// </summary>
    /// <param name="metadata">The metadata to fill; its provider name and request id name the failure.</param>
    /// <returns><paramref name="metadata"/>.</returns>
    /// <exception cref="GenerationException">A transport error: the body ended before the end signal, so the answer was cut short.</exception>
    public GenerationMetadata Complete(GenerationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (!Ended)
        {
            // Updates already delivered stay delivered; what is thrown names the provider and the missing signal, never content.
            throw new GenerationException(
                ErrorCategory.TransportError,
                $"{metadata.ProviderName ?? "The provider"}'s stream ended before its end signal ({_endSignal}) arrived: the answer was cut short.")
            {
                ErrorType = "transport_error",
                ProviderName = metadata.ProviderName,
                ProviderRequestId = metadata.ProviderRequestId,
            };
        }

        metadata.ResponseId = ResponseId;
        metadata.ResponseModel = ResponseModel;
        metadata.Usage = Usage?.WithComputedTotal();
        var finishes = new List<FinishReason>(_choices.Count);
        foreach (var choice in _choices)
        {
            if (choice.Finish is { } finish)
            {
                finishes.Add(finish);
            }
        }

        metadata.FinishReasons = finishes;
        return metadata;
    }

    private ChoiceState State(int index)
    {
        if (index is < 0 or > MaxChoiceIndex)
        {
            throw new JsonException(_indexOutOfRangeMessage);
        }

        while (_choices.Count <= index)
        {
            _choices.Add(new ChoiceState());
        }

        return _choices[index];
    }

    private sealed class ChoiceState
    {
        public bool HasToolCalls { get; set; }

        public FinishReason? Finish { get; set; }
    }
}
