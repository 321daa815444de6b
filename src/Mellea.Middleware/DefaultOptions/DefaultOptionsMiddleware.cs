namespace Mellea;

/// <summary>
/// Fills a request's unset model and options from configured defaults. The caller's request is never changed:
/// when something needs filling, the middleware passes a copy down the pipeline.
/// </summary>
public sealed class DefaultOptionsMiddleware : IGenerationMiddleware
{
    private readonly GenerationOptions _defaults;

    /// <summary>Creates the middleware.</summary>
    /// <param name="defaults">The defaults. They are copied, so later changes to the instance do not apply.</param>
    public DefaultOptionsMiddleware(GenerationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        _defaults = defaults.Clone();
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var options = context.Options;
        if (options is null || options.LacksAnyOf(_defaults))
        {
            var merged = options is null ? _defaults.Clone() : options.WithDefaults(_defaults);
            if (context.Operation == GenerationOperation.RawCompletion)
            {
                context.RawRequest = context.RawRequest.WithOptions(merged);
            }
            else
            {
                context.ChatRequest = context.ChatRequest.WithOptions(merged);
            }
        }

        return next(context);
    }

    /// <inheritdoc/>
    public override string ToString() => $"DefaultOptionsMiddleware({_defaults})";
}
