namespace Mellea;

/// <summary>
/// The rest of the pipeline, as a middleware calls it. For chat and raw calls it completes when the answer is on the
/// context; for a stream it completes when the whole stream has been written to <see cref="GenerationContext.Updates"/>.
/// </summary>
/// <param name="context">The call.</param>
public delegate ValueTask GenerationDelegate(GenerationContext context);
