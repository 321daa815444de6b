using System.Net.ServerSentEvents;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a Server-Sent Events body read as it arrives, one parsed event per <see cref="MoveNextAsync"/>, with the
/// rules of <see cref="ProviderHttpTransport.ReadServerSentEventsAsync"/>. Open one with
/// <see cref="ProviderHttpTransport.OpenServerSentEventsAsync"/>. Events already in the buffer are split and parsed with no await and
/// no state machine; only a read of the body awaits, so a backend's own stream loop is the only async layer per event.
/// </summary>
/// <typeparam name="T">What the item parser makes of one event.</typeparam>
public sealed class ServerSentEventStream<T> : IAsyncDisposable
{
    private readonly ServerSentEventReader _events = new();
    private readonly Stream _stream;
    private readonly SseItemParser<T> _parser;
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly CancellationToken _cancellationToken;

    internal ServerSentEventStream(Stream stream, SseItemParser<T> parser, ProviderErrorContext errors, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        _stream = stream;
        _parser = parser;
        _errors = errors;
        _response = response;
        _cancellationToken = cancellationToken;
        Current = default!;
    }

    /// <summary>The item the last successful <see cref="MoveNextAsync"/> parsed.</summary>
    public T Current { get; private set; }

    /// <summary>Parses the next event: false at the end of the body.</summary>
    /// <returns>Whether <see cref="Current"/> holds a new item.</returns>
    /// <exception cref="GenerationException">The body could not be read, or the item parser failed or threw one itself (an error event).</exception>
    public ValueTask<bool> MoveNextAsync()
    {
        // Buffered items come without a read, which is where cancellation would otherwise be noticed.
        _cancellationToken.ThrowIfCancellationRequested();
        return TryParseBuffered() ? new ValueTask<bool>(true) : FillAndMoveNextAsync();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _events.Dispose();
        return default;
    }

    private bool TryParseBuffered()
    {
        if (!_events.TryReadEvent(out var eventType, out var data))
        {
            return false;
        }

        try
        {
            Current = _parser(eventType, data);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors)) is { } mapped)
        {
            throw mapped;
        }

        return true;
    }

    private async ValueTask<bool> FillAndMoveNextAsync()
    {
        while (true)
        {
            bool more;
            try
            {
                _cancellationToken.ThrowIfCancellationRequested();
                more = await _events.FillAsync(_stream, _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors)) is { } mapped)
            {
                throw mapped;
            }

            if (!more)
            {
                return false;
            }

            if (TryParseBuffered())
            {
                return true;
            }
        }
    }
}
