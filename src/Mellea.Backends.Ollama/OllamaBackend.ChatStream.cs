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
        : PulledUpdateStream<OllamaLine>(cancellationToken)
    {
        private OllamaChunkReader? _reader;

        protected override async ValueTask<ParsedBodyStream<OllamaLine>> OpenAsync(CancellationToken cancellationToken)
        {
            var body = OllamaRequestMapper.ToChat(request, model, stream: true);
            Request = backend.CreateRequest(backend._chatUri!, JsonRequestContent.Create(body, OllamaJsonContext.Default.OllamaChatRequest));
            Response = await backend.SendAsync(Request, cancellationToken).ConfigureAwait(false);
            _reader = new OllamaChunkReader(backend._transport.ErrorContext, Response);
            return await backend._transport.OpenJsonLinesAsync(Response, _reader.LineParser, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryMap(OllamaLine item, out ChatResponseUpdate update)
        {
            update = item.Update!;
            return update is not null;
        }

        protected override ChatResponseUpdate? CreateFinalUpdate()
        {
            backend.EnsureDone(_reader!, Response!);
            return new ChatResponseUpdate { Metadata = _reader!.Complete(backend.CreateMetadata(model, Response!, streamed: true)) };
        }

        protected override PulledUpdateStream<OllamaLine> Restart() => new ChatStream(backend, request, model, CallCancellationToken);
    }
}
