namespace Mellea;

/// <summary>
/// A middleware: code that runs around the rest of the pipeline for every operation, written once.
/// </summary>
/// <remarks>
/// <para>The contract is ASP.NET Core's: work before <c>await next(context)</c> runs on the way in, work after it on the
/// way out, and a <c>try/finally</c> around it always closes what it opened. It holds for all three operations because a
/// stream is pushed through the pipeline: <c>next</c> completes only when the stream has ended, failed, been cancelled,
/// or been abandoned by the caller (then <c>next</c> throws <see cref="GenerationStreamAbandonedException"/>).</para>
/// <para>To answer without calling <c>next</c> (a cache, a precomputed value), set <see cref="GenerationContext.ChatResponse"/>
/// or <see cref="GenerationContext.RawResponse"/>, or for a stream write the updates to <see cref="GenerationContext.Updates"/>.
/// Outer middlewares run their post-work as usual.</para>
/// <para>Middlewares are shared by concurrent calls: keep per-call state in locals or on the context, never in fields.
/// Do not keep the context after <c>next</c> has returned; the pipeline reuses it.</para>
/// </remarks>
public interface IGenerationMiddleware
{
    /// <summary>Runs this middleware around <paramref name="next"/>.</summary>
    /// <param name="context">The call.</param>
    /// <param name="next">The rest of the pipeline.</param>
    ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next);
}
