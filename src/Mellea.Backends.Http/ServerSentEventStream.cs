using System.Net.ServerSentEvents;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a Server-Sent Events body read as it arrives, one parsed event per
/// <see cref="ParsedBodyStream{T}.MoveNextAsync"/>, with the rules of <see cref="ProviderHttpTransport.ReadServerSentEventsAsync"/>.
/// Open one with <see cref="ProviderHttpTransport.OpenServerSentEventsAsync"/>.
/// </summary>
/// <typeparam name="T">What the item parser makes of one event.</typeparam>
public sealed class ServerSentEventStream<T> : ParsedBodyStream<T>
{
    private readonly ServerSentEventReader _events = new();
    private readonly SseItemParser<T> _parser;

    internal ServerSentEventStream(Stream stream, SseItemParser<T> parser, ProviderErrorContext errors, HttpResponseMessage response, CancellationToken cancellationToken)
        : base(stream, errors, response, cancellationToken) => _parser = parser;

    private protected override bool TryParseItem(out T item)
    {
        if (!_events.TryReadEvent(out var eventType, out var data))
        {
            item = default!;
            return false;
        }

        item = _parser(eventType, data);
        return true;
    }

    private protected override ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken) => _events.FillAsync(stream, cancellationToken);

    private protected override void ReleaseBuffer() => _events.Dispose();
}
