using Mellea;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>retry</c> middleware for configuration-built pipelines.</summary>
public static class RetryServiceCollectionExtensions
{
    /// <summary>The name configuration uses for the retry middleware in <c>Mellea:Middlewares</c>.</summary>
    public const string MiddlewareName = "retry";

    /// <summary>The configuration section the retry options bind from (<c>Mellea:Retry</c>, or a pipeline's own <c>Retry</c>).</summary>
    public const string SectionName = "Retry";

    /// <summary>
    /// Lets configuration list <c>"retry"</c> among a pipeline's middlewares, with <see cref="RetryOptions"/> bound from the
    /// pipeline's <c>Retry</c> section (for example <c>"Retry": { "MaxRetries": 3, "AttemptTimeout": "00:02:00" }</c>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options after binding.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMelleaRetry(this IServiceCollection services, Action<RetryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddGenerationMiddleware(MiddlewareName, (settings, _) =>
        {
            var options = new RetryOptions();
            settings.GetMiddlewareSection(SectionName).Bind(options);
            configure?.Invoke(options);
            return new RetryMiddleware(options);
        });
    }
}
