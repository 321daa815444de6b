using System.Diagnostics;

namespace Mellea.Metrics;

/// <summary>
/// Forwards a stream's updates and records <c>gen_ai.client.operation.time_per_output_chunk</c>: for each chunk after the
/// first, the time since the previous chunk reached this point of the pipeline. Installed only while that histogram is listened to.
/// </summary>
/// <remarks>
/// The pipeline pushes a stream, so the gap also holds the time the caller spent on the previous chunk before asking for the
/// next; that is the gap a streaming UI sees.
/// </remarks>
internal sealed class ChunkTimingSink : GenerationUpdateSink
{
    private readonly GenerationUpdateSink _inner;
    private readonly MetricsMiddleware _owner;
    private readonly GenerationContext _context;
    private readonly TagList _tags;
    private long _previous;
    private bool _seenFirst;

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
            try
            {
                _owner.RecordChunkGap(_context.TimeProvider.GetElapsedTime(_previous, now).TotalSeconds, in _tags);
            }
            catch (Exception)
            {
                // Telemetry never fails the stream.
            }
        }

        _previous = now;
        _seenFirst = true;
        return _inner.WriteAsync(update);
    }
}
