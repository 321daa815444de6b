namespace Mellea;

/// <summary>
/// Thrown out of <see cref="GenerationUpdateSink.WriteAsync"/> when the caller stopped enumerating a stream (disposed its
/// enumerator early). It unwinds the pipeline so that every middleware's <c>finally</c> runs; the caller never sees it.
/// It is not an error: tracing marks the stream <c>abandoned</c>.
/// </summary>
public sealed class GenerationStreamAbandonedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    public GenerationStreamAbandonedException()
        : base("The caller stopped enumerating the stream.")
    {
    }
}
