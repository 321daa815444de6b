using Mellea.Backends.Http;
using Mellea.Backends.Ollama.Wire;

namespace Mellea.Backends.Ollama;

public sealed partial class OllamaBackend
{
    /// <summary>
    /// One streamed <c>/api/chat</c> call: the request is sent on the first <c>MoveNextAsync</c>, each NDJSON line already
    /// buffered is parsed and handed out with no async step, and the last update carries the call's metadata.
    /// </summary>
    private sealed class ChatStream(OllamaBackend backend, ChatRequest request, string model, CancellationToken cancellationToken)
        : PulledUpdateStream<ChatResponseUpdate?>(cancellationToken)
    {
        private HttpRequestMessage? _message;
        private HttpResponseMessage? _response;
        private OllamaChunkReader? _reader;

        protected override async ValueTask<ParsedBodyStream<ChatResponseUpdate?>> OpenAsync(CancellationToken cancellationToken)
        {
            var body = OllamaRequestMapper.ToChat(request, model, stream: true);
            _message = backend.CreateRequest(backend._chatUri!, JsonRequestContent.Create(body, OllamaJsonContext.Default.OllamaChatRequest));
            _response = await backend.SendAsync(_message, cancellationToken).ConfigureAwait(false);
            _reader = new OllamaChunkReader(backend._transport.ErrorContext, _response);
            return await backend._transport.OpenJsonLinesAsync(_response, _reader.LineParser, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryMap(ChatResponseUpdate? item, out ChatResponseUpdate update)
        {
            update = item!;
            return item is not null;
        }

        protected override ChatResponseUpdate? CreateFinalUpdate()
        {
            backend.EnsureDone(_reader!, _response!);
            return new ChatResponseUpdate { Metadata = _reader!.Complete(backend.CreateMetadata(model, _response!, streamed: true)) };
        }

        protected override void Release()
        {
            _response?.Dispose();
            _message?.Dispose();
        }

        protected override PulledUpdateStream<ChatResponseUpdate?> Restart() => new ChatStream(backend, request, model, CallCancellationToken);
    }
}
