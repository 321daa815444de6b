using System.Runtime.CompilerServices;

namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a streamed answer handed to the caller as <see cref="ChatResponseUpdate"/>s with no async iterator in
/// between. <see cref="MoveNextAsync"/> parses an update whose bytes are already buffered and returns it synchronously, so a
/// provider's stream costs one parse per update and nothing more; only reading the body awaits. The derived class sends the
/// request and opens the body (<see cref="OpenAsync"/>), maps each parsed item (<see cref="TryMap"/>) and makes the final update
/// (<see cref="CreateFinalUpdate"/>); this class enumerates, combines the cancellation tokens, and releases what was opened at
/// the end of the body, on failure, and when the caller stops early.
/// </summary>
/// <remarks>
/// <para>One object is the enumerable and its first enumerator, as a compiler-generated iterator is; enumerating it again starts
/// a new request through <see cref="Restart"/>.</para>
/// <para>Make <typeparamref name="T"/> a struct of the backend's own (a wrapper around the update is enough). The JIT compiles a
/// generic class once for all reference types, so every backend whose item is a class would share one per-update loop,
/// profiled and devirtualized for whichever stream ran most, and the others would pay a virtual call per update; over a struct
/// the loop is compiled for that backend alone.</para>
/// </remarks>
/// <typeparam name="T">What the body's item parser makes of one event or line; preferably a struct (see remarks).</typeparam>
public abstract class PulledUpdateStream<T> : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
{
    private CancellationTokenSource? _linked;
    private ParsedBodyStream<T>? _body;
    private Stage _stage;
    private int _enumerated;
    private bool _released;
    private bool _stopRequested;

    /// <summary>Creates the stream of one call.</summary>
    /// <param name="cancellationToken">The token the call was made with.</param>
    protected PulledUpdateStream(CancellationToken cancellationToken)
    {
        CallCancellationToken = cancellationToken;
        CancellationToken = cancellationToken;
        Current = null!;
    }

    private enum Stage
    {
        NotStarted,
        Streaming,
        Finishing,
        Done,
    }

    /// <summary>The update the last successful <see cref="MoveNextAsync"/> produced.</summary>
    public ChatResponseUpdate Current { get; private set; }

    /// <summary>The token the call was made with (what <see cref="Restart"/> passes on).</summary>
    protected CancellationToken CallCancellationToken { get; }

    /// <summary>What this enumeration observes: the call's token, combined with the one given to <see cref="GetAsyncEnumerator"/>.</summary>
    protected CancellationToken CancellationToken { get; private set; }

    /// <inheritdoc/>
    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        PulledUpdateStream<T> enumerator;
        if (Interlocked.Exchange(ref _enumerated, 1) == 0)
        {
            enumerator = this;
        }
        else
        {
            enumerator = Restart();
            enumerator._enumerated = 1;
        }

        enumerator.Observe(cancellationToken);
        return enumerator;
    }

    /// <inheritdoc/>
    public ValueTask<bool> MoveNextAsync()
    {
        if (_stage != Stage.Streaming)
        {
            return _stage == Stage.NotStarted ? MoveNextSlowAsync(default) : new ValueTask<bool>(End());
        }

        try
        {
            // Buffered items come without a read, which is where cancellation would otherwise be noticed.
            CancellationToken.ThrowIfCancellationRequested();
            if (TryTakePending(out var pending))
            {
                Current = pending;
                return new ValueTask<bool>(true);
            }

            var body = _body!;
            while (true)
            {
                while (body.TryTakeBuffered(out var item))
                {
                    if (TryHandOut(item))
                    {
                        return new ValueTask<bool>(true);
                    }

                    if (_stopRequested)
                    {
                        return new ValueTask<bool>(EndOfBody());
                    }
                }

                // Nothing whole is buffered: the body's own MoveNextAsync reads (and may have to wait).
                var next = body.MoveNextAsync();
                if (!next.IsCompletedSuccessfully)
                {
                    return MoveNextSlowAsync(next);
                }

                if (!next.Result)
                {
                    return new ValueTask<bool>(EndOfBody());
                }

                if (TryHandOut(body.Current))
                {
                    return new ValueTask<bool>(true);
                }

                if (_stopRequested)
                {
                    return new ValueTask<bool>(EndOfBody());
                }

                // The item just read carried nothing: read on, in this loop (a run of empty items must not deepen the stack).
            }
        }
        catch (Exception ex) when (_body?.MapFailure(ex) is { } mapped)
        {
            End();
            throw mapped;
        }
        catch
        {
            End();
            throw;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _stage = Stage.Done;
        ReleaseAll();
        GC.SuppressFinalize(this);
        return default;
    }

    /// <summary>Sends the request and opens the body; called once, on the first <see cref="MoveNextAsync"/>.</summary>
    /// <param name="cancellationToken">The token this enumeration observes.</param>
    /// <returns>The body, read an item at a time.</returns>
    protected abstract ValueTask<ParsedBodyStream<T>> OpenAsync(CancellationToken cancellationToken);

    /// <summary>Maps one parsed item to the update it carries; false when it carries nothing to show.</summary>
    /// <param name="item">The item the body's parser made.</param>
    /// <param name="update">The update to hand out.</param>
    /// <returns>Whether <paramref name="update"/> is set.</returns>
    protected abstract bool TryMap(T item, out ChatResponseUpdate update);

    /// <summary>
    /// Hands out an update that an earlier item produced besides the one <see cref="TryMap"/> returned (one event carrying
    /// several choices); asked before each new item is read. None by default.
    /// </summary>
    /// <param name="update">The pending update.</param>
    /// <returns>Whether <paramref name="update"/> is set.</returns>
    protected virtual bool TryTakePending(out ChatResponseUpdate update)
    {
        update = null!;
        return false;
    }

    /// <summary>
    /// Called from <see cref="TryMap"/> on an item that ends the answer before the body does (OpenAI's <c>[DONE]</c>): nothing
    /// more is read, and the stream goes on to <see cref="CreateFinalUpdate"/>.
    /// </summary>
    protected void StopReading() => _stopRequested = true;

    /// <summary>
    /// Called once the body has ended: checks the answer is whole (throwing a <see cref="GenerationException"/> when it was cut
    /// short) and makes the last update, usually the one carrying the call's metadata; null when there is none.
    /// </summary>
    /// <returns>The last update, or null.</returns>
    protected abstract ChatResponseUpdate? CreateFinalUpdate();

    /// <summary>The request <see cref="OpenAsync"/> sends; set it before sending, so that it is released whatever happens next.</summary>
    protected HttpRequestMessage? Request { get; set; }

    /// <summary>The response <see cref="OpenAsync"/> received; released with the stream.</summary>
    protected HttpResponseMessage? Response { get; set; }

    /// <summary>
    /// Releases what <see cref="OpenAsync"/> opened; called exactly once, whatever the outcome. The default disposes
    /// <see cref="Response"/> and <see cref="Request"/>.
    /// </summary>
    protected virtual void Release()
    {
        Response?.Dispose();
        Request?.Dispose();
    }

    /// <summary>A new stream for the same call, for a second enumeration.</summary>
    /// <returns>A stream that has not started.</returns>
    protected abstract PulledUpdateStream<T> Restart();

    private void Observe(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled || cancellationToken == CallCancellationToken)
        {
            return;
        }

        if (CallCancellationToken.CanBeCanceled)
        {
            _linked = CancellationTokenSource.CreateLinkedTokenSource(CallCancellationToken, cancellationToken);
            CancellationToken = _linked.Token;
        }
        else
        {
            CancellationToken = cancellationToken;
        }
    }

    // Only the start and a body read that has to wait come here, so each such wait, not each update, costs a state machine
    // step; the pooling builder reuses the box a real wait needs.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> MoveNextSlowAsync(ValueTask<bool> pending)
    {
        try
        {
            if (_stage == Stage.NotStarted)
            {
                _stage = Stage.Streaming;
                _body = await OpenAsync(CancellationToken).ConfigureAwait(false);
                pending = _body.MoveNextAsync();
            }

            var body = _body!;
            while (true)
            {
                if (!await pending.ConfigureAwait(false))
                {
                    return EndOfBody();
                }

                if (TryHandOut(body.Current))
                {
                    return true;
                }

                if (_stopRequested)
                {
                    return EndOfBody();
                }

                pending = body.MoveNextAsync();
            }
        }
        catch
        {
            End();
            throw;
        }
    }

    // The update an item carries, or else one it left pending, becomes Current.
    private bool TryHandOut(T item)
    {
        if (TryMap(item, out var update) || TryTakePending(out update))
        {
            Current = update;
            return true;
        }

        return false;
    }

    private bool EndOfBody()
    {
        try
        {
            _body!.Release();
            _body = null;
            _stage = Stage.Finishing;
            if (CreateFinalUpdate() is { } last)
            {
                Current = last;
                return true;
            }

            return End();
        }
        catch
        {
            End();
            throw;
        }
    }

    private bool End()
    {
        _stage = Stage.Done;
        ReleaseAll();
        return false;
    }

    private void ReleaseAll()
    {
        _body?.Release();
        _body = null;
        _linked?.Dispose();
        _linked = null;
        if (!_released)
        {
            _released = true;
            Release();
        }
    }
}
