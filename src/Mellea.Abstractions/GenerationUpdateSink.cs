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

    /// <summary>
    /// The sink this one forwards to, when its <see cref="WriteAsync"/> only does synchronous work and then returns what that
    /// sink's <see cref="WriteAsync"/> returns; null (the default) when it may await or do anything else. When every sink of a
    /// stream passes through, the pipeline lets the caller pull updates through them without a hand-off per update.
    /// </summary>
    internal virtual GenerationUpdateSink? PassThroughInner => null;
}
