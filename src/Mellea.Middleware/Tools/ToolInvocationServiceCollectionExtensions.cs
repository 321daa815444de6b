using System.Diagnostics.Metrics;
using Mellea;
using Microsoft.Extensions.AI;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the <c>tools</c> middleware for configuration-built pipelines.</summary>
public static class ToolInvocationServiceCollectionExtensions
{
    /// <summary>The name configuration uses for the tool-invocation middleware in <c>Mellea:Middlewares</c>.</summary>
    public const string MiddlewareName = "tools";

    /// <summary>
    /// Lets configuration list <c>"tools"</c> among a pipeline's middlewares. The tools are every <see cref="AIFunction"/>
    /// registered as a service, then whatever <paramref name="configure"/> adds; the meter comes from the application's
    /// <see cref="IMeterFactory"/> when registered.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Adjusts the options of every pipeline's tool middleware.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddMelleaToolInvocation(this IServiceCollection services, Action<ToolInvocationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.AddGenerationMiddleware(MiddlewareName, (_, sp) =>
        {
            var options = new ToolInvocationOptions { MeterFactory = sp.GetService<IMeterFactory>() };
            foreach (var tool in sp.GetServices<AIFunction>())
            {
                options.Tools.Add(tool);
            }

            configure?.Invoke(options);
            return new ToolInvocationMiddleware(options);
        });
    }
}
