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

    // Pull mode (ArmPull): the handler's enumerator and the producer's execution context. The first sink of the chain is the
    // context's Updates: the middlewares that installed their sinks are all suspended in the producer until the pulls end.
    private IAsyncEnumerator<ChatResponseUpdate>? _pullSource;
    private ExecutionContext? _producerContext;
    private bool _pulling;
    private PullStep _pullStep;
    private ValueTask<bool> _pulledMove;
    private Action? _onMoved;

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
        if (_pullSource is not null)
        {
            return PullNext();
        }

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

        if (_pulling)
        {
            // The caller's MoveNextAsync is pulling this update through the sinks: it only has to be handed over.
            _context!.RecordChunk(update);
            _current = update;
            return default;
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
                _pullSource = null;
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

    /// <summary>
    /// Called by the handler terminal, in the producer's flow, before it writes the first update, when every sink between the
    /// context and this stream passes through (<see cref="GenerationUpdateSink.PassThroughInner"/>). After that update, the
    /// caller's <see cref="MoveNextAsync"/> pulls each next one from the handler itself and pushes it through the sinks, under
    /// the producer's execution context (the generation span stays current), instead of handing over to the producer's flow
    /// and back for every update. The producer stays at the first update's gate until the pulls end: the gate opens when the
    /// handler's stream ends, and fails with what it or a sink threw, or with <see cref="GenerationStreamAbandonedException"/>.
    /// </summary>
    internal void ArmPull(IAsyncEnumerator<ChatResponseUpdate> source)
    {
        _producerContext = ExecutionContext.Capture();
        _pullSource = source;
    }

    /// <summary>The sink chain from <paramref name="head"/> ends at this stream, through pass-through sinks only.</summary>
    internal static PipelineStream? PullTarget(GenerationUpdateSink head)
    {
        var sink = head;
        while (true)
        {
            if (sink is PipelineStream stream)
            {
                return stream;
            }

            if (sink.PassThroughInner is not { } inner)
            {
                return null;
            }

            sink = inner;
        }
    }

    // One switch to the producer's execution context per update: the move and, when it completed at once, the write. The
    // callback has no result, so what it did is left in _pullStep (and a move still running in _pulledMove).
    private static readonly ContextCallback MoveAndWrite = static state =>
    {
        var stream = (PipelineStream)state!;
        var moved = stream._pullSource!.MoveNextAsync();
        if (!moved.IsCompletedSuccessfully)
        {
            stream._pulledMove = moved;
            stream._pullStep = PullStep.Waiting;
        }
        else if (moved.Result)
        {
            stream.WriteCurrent();
            stream._pullStep = PullStep.Written;
        }
        else
        {
            stream._pullStep = PullStep.Ended;
        }
    };

    private static readonly ContextCallback WriteOnly = static state => ((PipelineStream)state!).WriteCurrent();

    private enum PullStep : byte
    {
        Written,
        Waiting,
        Ended,
    }

    private void WriteCurrent()
    {
        _pulling = true;
        try
        {
            // Pass-through sinks do only synchronous work (GenerationUpdateSink.PassThroughInner), and this stream's own write
            // completes at once while pulling, so the write is complete here; anything else breaks that contract.
            var written = _context!.Updates.WriteAsync(_pullSource!.Current);
            if (!written.IsCompleted)
            {
                throw new InvalidOperationException("A pass-through sink did not complete its write synchronously.");
            }

            // Throws what a sink failed with.
            written.GetAwaiter().GetResult();
        }
        finally
        {
            _pulling = false;
        }
    }

    private void RunInProducerContext(ContextCallback callback)
    {
        if (_producerContext is { } context)
        {
            ExecutionContext.Run(context, callback, this);
        }
        else
        {
            callback(this);
        }
    }

    private ValueTask<bool> PullNext()
    {
        try
        {
            RunInProducerContext(MoveAndWrite);
            switch (_pullStep)
            {
                case PullStep.Waiting:
                    return AwaitMove();
                case PullStep.Ended:
                    return EndPull(null);
                default:
                    return new ValueTask<bool>(true);
            }
        }
        catch (Exception ex)
        {
            return EndPull(ex);
        }
    }

    // The handler has to wait (a network read). The caller waits on the same source as for a hand-off, and the read's own
    // completion finishes the pull (OnMoved): no state machine of ours between the read and the caller.
    private ValueTask<bool> AwaitMove()
    {
        _consumer.Reset();
        var next = new ValueTask<bool>(this, _consumer.Version);
        _pulledMove.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_onMoved ??= OnMoved);
        return next;
    }

    private void OnMoved()
    {
        var moved = _pulledMove;
        _pulledMove = default;
        try
        {
            if (!moved.GetAwaiter().GetResult())
            {
                FinishPull(null);
                return;
            }

            RunInProducerContext(WriteOnly);
        }
        catch (Exception ex)
        {
            FinishPull(ex);
            return;
        }

        _consumer.SetResult(true);
    }

    /// <summary>Leaves pull mode and opens the producer's gate (or fails its write): the pipeline finishes, and its outcome answers this MoveNextAsync.</summary>
    private ValueTask<bool> EndPull(Exception? failure)
    {
        _consumer.Reset();
        var next = new ValueTask<bool>(this, _consumer.Version);
        FinishPull(failure);
        return next;
    }

    // The caller waits on _consumer already; the producer, let go here, answers it when the pipeline has finished.
    private void FinishPull(Exception? failure)
    {
        _pullSource = null;
        _producerContext = null;
        _current = null;
        if (failure is null)
        {
            _producer.SetResult(true);
        }
        else
        {
            _producer.SetException(failure);
        }
    }

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
