namespace Mellea;

/// <summary>Adds <see cref="DefaultOptionsMiddleware"/> to a pipeline.</summary>
public static class DefaultOptionsBuilderExtensions
{
    /// <summary>Fills each request's unset model and options from <paramref name="defaults"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="defaults">The defaults.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseDefaultOptions(this GenerationPipelineBuilder builder, GenerationOptions defaults)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(defaults);
        return builder.Use(new DefaultOptionsMiddleware(defaults));
    }

    /// <summary>Fills each request's unset model and options from defaults built by <paramref name="configure"/>.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets the defaults.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseDefaultOptions(this GenerationPipelineBuilder builder, Action<GenerationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var defaults = new GenerationOptions();
        configure(defaults);
        return builder.Use(new DefaultOptionsMiddleware(defaults));
    }
}
