namespace Mellea.Cli;

/// <summary>
/// Remembers how many retries the last call took. It sits just outside the retry middleware, where the context's
/// <see cref="GenerationContext.RetryCount"/> is final, because a failure line that says "after 3 attempts" is more useful
/// than one that leaves the user guessing whether retries happened at all.
/// </summary>
internal sealed class RetryTally : IGenerationMiddleware
{
    private int _retries;

    /// <summary>The retries of the last call that finished.</summary>
    public int Retries => Volatile.Read(ref _retries);

    /// <summary>This tally as a middleware.</summary>
    public IGenerationMiddleware Middleware => this;

    /// <inheritdoc/>
    public async ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _retries, context.RetryCount);
        }
    }
}
