namespace Mellea;

/// <summary>
/// Where a stream's updates go on their way to the caller. A middleware that watches a stream replaces
/// <see cref="GenerationContext.Updates"/> with a sink that forwards to the previous one.
/// </summary>
public abstract class GenerationUpdateSink
{
    /// <summary>Hands one update towards the caller. Completes when the caller asks for the next one.</summary>
    /// <param name="update">The update.</param>
    /// <exception cref="GenerationStreamAbandonedException">The caller stopped enumerating the stream.</exception>
    public abstract ValueTask WriteAsync(ChatResponseUpdate update);
}
