namespace Mellea.Resilience;

/// <summary>
/// Forwards a stream's updates and remembers whether one has gone out towards the caller. Once it has, the answer is
/// committed and the retry middleware must not retry: the caller would see the start of the answer twice.
/// </summary>
internal sealed class CommitWatchingSink : GenerationUpdateSink
{
    private readonly GenerationUpdateSink _inner;

    public CommitWatchingSink(GenerationUpdateSink inner) => _inner = inner;

    public bool Committed { get; private set; }

    /// <inheritdoc/>
    internal override GenerationUpdateSink? PassThroughInner => _inner;

    public override ValueTask WriteAsync(ChatResponseUpdate update)
    {
        Committed = true;
        return _inner.WriteAsync(update);
    }
}
