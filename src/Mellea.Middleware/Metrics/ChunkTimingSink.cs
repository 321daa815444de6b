using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mellea.Metrics;

/// <summary>
/// Forwards a stream's updates and records <c>gen_ai.client.operation.time_per_output_chunk</c>: for each chunk after the
/// first, the time since the previous chunk reached this point of the pipeline. Installed only while that histogram is listened to.
/// </summary>
/// <remarks>
/// <para>The pipeline pushes a stream, so the gap also holds the time the caller spent on the previous chunk before asking for the
/// next; that is the gap a streaming UI sees.</para>
/// <para>Each gap is measured when its chunk passes, but recorded in batches of <see cref="BatchSize"/>, and the rest when the
/// stream ends however it ends (<see cref="Flush"/>, from the metrics middleware's <c>finally</c>): every gap is one value
/// with the call's tags, as semconv asks, and none is lost. Between two chunks that wait on a socket, the SDK's record path
/// (its tag lookup and the metric point) is evicted from the caches; recorded back to back, a batch finds it warm.</para>
/// </remarks>
internal sealed class ChunkTimingSink : GenerationUpdateSink
{
    /// <summary>How many gaps wait before they are recorded.</summary>
    internal const int BatchSize = 16;

    private readonly GenerationUpdateSink _inner;
    private readonly MetricsMiddleware _owner;
    private readonly GenerationContext _context;
    private readonly TagList _tags;
    private long _previous;
    private bool _seenFirst;
    private Gaps _gaps;
    private int _gapCount;

    public ChunkTimingSink(GenerationUpdateSink inner, MetricsMiddleware owner, GenerationContext context, TagList tags)
    {
        _inner = inner;
        _owner = owner;
        _context = context;
        _tags = tags;
    }

    /// <inheritdoc/>
    internal override GenerationUpdateSink? PassThroughInner => _inner;

    public override ValueTask WriteAsync(ChatResponseUpdate update)
    {
        var now = _context.TimeProvider.GetTimestamp();
        if (_seenFirst)
        {
            _gaps[_gapCount++] = _context.TimeProvider.GetElapsedTime(_previous, now).TotalSeconds;
            if (_gapCount == BatchSize)
            {
                Flush();
            }
        }

        _previous = now;
        _seenFirst = true;
        return _inner.WriteAsync(update);
    }

    /// <summary>Records the gaps measured and not yet recorded; the metrics middleware calls it when the stream ends, whatever the outcome.</summary>
    public void Flush()
    {
        var count = _gapCount;
        _gapCount = 0;
        for (var i = 0; i < count; i++)
        {
            try
            {
                _owner.RecordChunkGap(_gaps[i], in _tags);
            }
            catch (Exception)
            {
                // Telemetry never fails the stream.
            }
        }
    }

    // Inline in the sink, so that batching allocates nothing.
    [InlineArray(BatchSize)]
    private struct Gaps
    {
        private double _first;
    }
}
