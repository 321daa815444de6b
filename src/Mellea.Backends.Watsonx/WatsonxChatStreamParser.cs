using System.Net.ServerSentEvents;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.Watsonx;

/// <summary>
/// Parses the events of one <c>/ml/v1/text/chat_stream</c> (SSE with <c>id:</c>/<c>event:</c> lines and no <c>[DONE]</c>) with
/// <see cref="Utf8JsonReader"/>, straight off the SSE parser's buffer: per chunk it allocates the update and its text. It keeps what the
/// final metadata needs, including the usage of the final <c>choices:[]</c> chunk that Python Mellea loses, and turns an error event
/// (<c>event: error</c>, or a payload with <c>errors</c>/<c>error</c>) into a <see cref="GenerationException"/>.
/// </summary>
internal sealed class WatsonxChatStreamParser
{
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly StreamedChoices _choices = new("A chat_stream chunk names a choice index out of range.");

    public WatsonxChatStreamParser(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        ItemParser = Parse;
    }

    /// <summary>The parser handed to <see cref="SseParser"/>; made once per stream.</summary>
    public SseItemParser<ChatResponseUpdate?> ItemParser { get; }

    /// <summary>Takes an update that a chunk with several choices produced beyond its first.</summary>
    public bool TryDequeuePending(out ChatResponseUpdate update) => _choices.TryDequeuePending(out update);

    /// <summary>
    /// At the end of the body, fills the stream's answer facts into <paramref name="metadata"/>, exactly as a whole answer fills them.
    /// chat_stream has no <c>[DONE]</c>: its end signal is a finish reason on every choice (the usage chunk after it is optional), and a
    /// body that ends before it throws a transport <see cref="GenerationException"/>.
    /// </summary>
    public GenerationMetadata Complete(GenerationMetadata metadata)
    {
        _choices.Complete(metadata);
        WatsonxMetadata.AddRawFinishReasons(metadata);
        return metadata;
    }

    private ChatResponseUpdate? Parse(string eventType, ReadOnlySpan<byte> data)
    {
        if (eventType == "error")
        {
            throw ProviderErrors.FromErrorEvent(data, _errors, _response);
        }

        return _choices.ReadChunk(data, _errors, _response);
    }
}
