using System.Net.ServerSentEvents;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.OpenAI;

/// <summary>
/// Parses the events of one chat completion stream with <see cref="Utf8JsonReader"/>, straight off the SSE parser's buffer: per chunk
/// it allocates the update and its text, nothing else. It remembers what the final metadata needs (id, model, usage, one finish
/// reason per choice) and turns an event with a top-level <c>error</c> into a <see cref="GenerationException"/>.
/// </summary>
internal sealed class OpenAIStreamParser
{
    /// <summary>Returned for <c>data: [DONE]</c>.</summary>
    public static readonly ChatResponseUpdate Done = new();

    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    // The end signal is [DONE]; a finish reason on every choice also ends a stream, since some routers (cerebras) stop at EOF without [DONE].
    private readonly StreamedChoices _choices = new("A stream chunk names a choice index out of range.", "data: [DONE], or a finish reason on every choice");

    public OpenAIStreamParser(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        ItemParser = ParseEvent;
    }

    /// <summary>The parser handed to <see cref="SseParser"/>; made once per stream.</summary>
    public SseItemParser<OpenAIStreamEvent> ItemParser { get; }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    public bool TryDequeuePending(out ChatResponseUpdate update) => _choices.TryDequeuePending(out update);

    /// <summary>
    /// At the end of the body, fills the stream's answer facts into <paramref name="metadata"/>, exactly as a whole response fills them;
    /// throws a transport <see cref="GenerationException"/> when the body ended before <c>[DONE]</c> or a finish reason on every choice.
    /// </summary>
    public GenerationMetadata Complete(GenerationMetadata metadata) => _choices.Complete(metadata);

    private OpenAIStreamEvent ParseEvent(string eventType, ReadOnlySpan<byte> data) => new(Parse(data));

    private ChatResponseUpdate? Parse(ReadOnlySpan<byte> data)
    {
        if (data.SequenceEqual("[DONE]"u8))
        {
            _choices.MarkEndSignal();
            return Done;
        }

        return _choices.ReadChunk(data, _errors, _response);
    }
}
