using System.Diagnostics;
using System.Threading.Tasks.Sources;

namespace Mellea.Pipeline;

/// <summary>
/// Turns the pushed stream of the pipeline into the pulled <see cref="IAsyncEnumerable{T}"/> the caller enumerates.
/// </summary>
/// <remarks>
/// <para>The pipeline runs as a producer in its own asynchronous flow. The producer writes an update and waits at a gate;
/// the caller's <see cref="MoveNextAsync"/> takes the update and opens the gate for the next one. Each side resets its own
/// wait source before it releases the other, so the two strictly alternate without locks, and nothing is allocated per
/// update.</para>
/// <para>Because the producer has its own execution context, the generation span that tracing makes current inside the
/// pipeline stays current for the whole stream (the backend's HTTP spans parent under it), while the caller's
/// <see cref="Activity.Current"/> never changes.</para>
/// <para>If the caller disposes the enumerator early, the producer's pending write throws
/// <see cref="GenerationStreamAbandonedException"/>, which unwinds every middleware through its <c>finally</c>;
/// <see cref="DisposeAsync"/> waits for that to finish.</para>
/// </remarks>
internal sealed class PipelineStream : GenerationUpdateSink,
    IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>,
    IValueTaskSource<bool>, IValueTaskSource
{
    private const int NotStarted = 0;
    private const int Running = 1;
    private const int Finished = 2;

    private readonly GenerationPipeline _pipeline;
    private readonly ChatRequest _request;
    private readonly CancellationToken _requestToken;

    private ManualResetValueTaskSourceCore<bool> _consumer;
    private ManualResetValueTaskSourceCore<bool> _producer;
    private GenerationContext? _context;
    private CancellationTokenSource? _linkedTokens;
    private CancellationToken _enumeratorToken;
    private Task? _producerTask;
    private ChatResponseUpdate? _current;
    private int _state;
    private int _enumeratorTaken;
    private bool _abandoned;
    private bool _writePending;

    public PipelineStream(GenerationPipeline pipeline, ChatRequest request, CancellationToken requestToken)
    {
        _pipeline = pipeline;
        _request = request;
        _requestToken = requestToken;
    }

    public ChatResponseUpdate Current => _current ?? throw new InvalidOperationException("MoveNextAsync has not returned true.");

    public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        // The first enumeration uses this object; a second enumeration of the same enumerable is a new call.
        var stream = Interlocked.Exchange(ref _enumeratorTaken, 1) == 0 ? this : new PipelineStream(_pipeline, _request, _requestToken);
        stream._enumeratorTaken = 1;
        stream.BindToken(cancellationToken);
        return stream;
    }

    public ValueTask<bool> MoveNextAsync()
    {
        if (_state == Finished)
        {
            return new ValueTask<bool>(false);
        }

        _current = null;
        _consumer.Reset();
        var next = new ValueTask<bool>(this, _consumer.Version);
        if (_state == NotStarted)
        {
            _state = Running;
            _producerTask = RunProducerAsync();
        }
        else
        {
            // The producer waits at its gate after its last write: let it go on.
            _producer.SetResult(true);
        }

        return next;
    }

    public override ValueTask WriteAsync(ChatResponseUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_abandoned)
        {
            throw new GenerationStreamAbandonedException();
        }

        if (_writePending)
        {
            throw new InvalidOperationException("WriteAsync was called again before the previous write completed; await each write.");
        }

        _writePending = true;
        _context!.RecordChunk(update);
        _current = update;
        _producer.Reset();
        var gate = new ValueTask(this, _producer.Version);
        _consumer.SetResult(true);
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        switch (_state)
        {
            case NotStarted:
                _state = Finished;
                break;
            case Running:
                // The caller stopped early. The producer waits at its gate; fail its write so that the pipeline unwinds.
                _abandoned = true;
                _producer.SetException(new GenerationStreamAbandonedException());
                if (_producerTask is { } producer)
                {
                    await producer.ConfigureAwait(false);
                }

                break;
        }

        _current = null;
        _linkedTokens?.Dispose();
        _linkedTokens = null;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _consumer.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _consumer.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _consumer.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.GetResult(short token)
    {
        _writePending = false;
        _producer.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _producer.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _producer.OnCompleted(continuation, state, token, flags);

    private void BindToken(CancellationToken enumeratorToken)
    {
        _enumeratorToken = enumeratorToken;
        if (enumeratorToken.CanBeCanceled && _requestToken.CanBeCanceled && enumeratorToken != _requestToken)
        {
            _linkedTokens = CancellationTokenSource.CreateLinkedTokenSource(_requestToken, enumeratorToken);
        }
    }

    private CancellationToken EffectiveToken =>
        _linkedTokens?.Token ?? (_requestToken.CanBeCanceled ? _requestToken : _enumeratorToken);

    private async Task RunProducerAsync()
    {
        Exception? failure = null;
        var context = _pipeline.RentContext(GenerationOperation.StreamChat, _request, null, EffectiveToken);
        _context = context;
        context.SetStreamSink(this);
        try
        {
            await _pipeline.Entry(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            _context = null;
            _pipeline.ReturnContext(context);
        }

        _state = Finished;
        if (_abandoned)
        {
            // DisposeAsync is waiting for this task; the caller wants nothing more.
            return;
        }

        if (failure is null)
        {
            _consumer.SetResult(false);
        }
        else
        {
            _consumer.SetException(failure);
        }
    }
}
