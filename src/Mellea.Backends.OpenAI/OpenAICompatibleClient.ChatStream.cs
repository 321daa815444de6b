using Mellea.Backends.Http;
using Mellea.Backends.OpenAI.Wire;

namespace Mellea.Backends.OpenAI;

public sealed partial class OpenAICompatibleClient
{
    /// <summary>
    /// One streamed chat completion: the request is sent on the first <c>MoveNextAsync</c>, each SSE event already buffered is
    /// parsed and handed out with no async step (an event with several choices hands the others out next), <c>[DONE]</c> ends
    /// the reading, and the last update carries the call's metadata.
    /// </summary>
    private sealed class ChatStream(OpenAICompatibleClient client, ChatRequest request, string model, CancellationToken cancellationToken)
        : PulledUpdateStream<OpenAIStreamEvent>(cancellationToken)
    {
        private OpenAIStreamParser? _parser;

        protected override async ValueTask<ParsedBodyStream<OpenAIStreamEvent>> OpenAsync(CancellationToken cancellationToken)
        {
            var body = new ChatCompletionRequestBody(request, model, Stream: true, client._profile.SendsTopK);
            Request = client.CreateRequest(client._chatUri!, JsonRequestContent.Create(body, OpenAIJsonContext.Default.ChatCompletionRequestBody));
            Response = await client._transport.SendAsync(Request, cancellationToken).ConfigureAwait(false);
            _parser = new OpenAIStreamParser(client._transport.ErrorContext, Response);
            return await client._transport.OpenServerSentEventsAsync(Response, _parser.ItemParser, cancellationToken).ConfigureAwait(false);
        }

        protected override bool TryMap(OpenAIStreamEvent item, out ChatResponseUpdate update)
        {
            update = item.Update!;
            if (ReferenceEquals(update, OpenAIStreamParser.Done))
            {
                StopReading();
                return false;
            }

            return update is not null;
        }

        protected override bool TryTakePending(out ChatResponseUpdate update) => _parser!.TryDequeuePending(out update);

        protected override ChatResponseUpdate? CreateFinalUpdate() =>
            new() { Metadata = _parser!.Complete(client.CreateMetadata(model, Response!, streamed: true)) };

        protected override PulledUpdateStream<OpenAIStreamEvent> Restart() => new ChatStream(client, request, model, CallCancellationToken);
    }
}
