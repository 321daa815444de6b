using System.Runtime.CompilerServices;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a provider's streamed body read as it arrives, one parsed item per <see cref="MoveNextAsync"/>
/// (<see cref="ServerSentEventStream{T}"/> for Server-Sent Events, <see cref="JsonLinesStream{T}"/> for newline-delimited JSON).
/// Items already in the buffer are split and parsed with no await and no state machine; only a read of the body awaits, so a
/// backend's own stream loop is the only async layer per item. Read failures, and failures the item parser throws, become
/// <see cref="GenerationException"/>.
/// </summary>
/// <typeparam name="T">What the item parser makes of one event or line.</typeparam>
public abstract class ParsedBodyStream<T> : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly CancellationToken _cancellationToken;

    // The framings are this assembly's own; a backend opens one through ProviderHttpTransport.
    private protected ParsedBodyStream(Stream stream, ProviderErrorContext errors, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        _stream = stream;
        _errors = errors;
        _response = response;
        _cancellationToken = cancellationToken;
        Current = default!;
    }

    /// <summary>The item the last successful <see cref="MoveNextAsync"/> parsed.</summary>
    public T Current { get; private set; }

    /// <summary>Parses the next item: false at the end of the body.</summary>
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
        ReleaseBuffer();
        GC.SuppressFinalize(this);
        return default;
    }

    /// <summary>Returns the pooled buffer; the same as <see cref="DisposeAsync"/>, without a task, for <see cref="PulledUpdateStream{T}"/>.</summary>
    internal void Release() => ReleaseBuffer();

    /// <summary>Splits the next whole item out of the buffer and parses it; false when the buffer holds no whole item.</summary>
    private protected abstract bool TryParseItem(out T item);

    /// <summary>Reads more of the body into the buffer; false at its end (a last unterminated item is then whole).</summary>
    private protected abstract ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken);

    /// <summary>Returns the pooled buffer.</summary>
    private protected abstract void ReleaseBuffer();

    /// <summary>
    /// Parses the next item already in the buffer, with no task and without touching <see cref="Current"/>: false when the buffer
    /// holds no whole item, and then <see cref="MoveNextAsync"/> reads more. The caller checks its own cancellation token, and
    /// maps what this throws with <see cref="MapFailure"/>: a try block here would stop the split and the parse from being
    /// inlined into the caller's loop, which runs once per streamed update.
    /// </summary>
    internal bool TryTakeBuffered(out T item) => TryParseItem(out item);

    /// <summary>What <see cref="TryTakeBuffered"/>'s failure becomes: a <see cref="GenerationException"/>, or null to rethrow it as it is.</summary>
    internal GenerationException? MapFailure(Exception exception) =>
        ProviderErrors.FromException(exception, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors));

    private bool TryParseBuffered()
    {
        try
        {
            if (!TryParseItem(out var item))
            {
                return false;
            }

            Current = item;
            return true;
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors)) is { } mapped)
        {
            throw mapped;
        }
    }

    // A read that has to wait (a network body) suspends here once per read; the pooling builder reuses the box that needs.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> FillAndMoveNextAsync()
    {
        while (true)
        {
            bool more;
            try
            {
                _cancellationToken.ThrowIfCancellationRequested();
                more = await FillAsync(_stream, _cancellationToken).ConfigureAwait(false);
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
