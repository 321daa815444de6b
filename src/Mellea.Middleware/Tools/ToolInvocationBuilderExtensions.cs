using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace Mellea;

/// <summary>Adds <see cref="ToolInvocationMiddleware"/> to a pipeline.</summary>
public static class ToolInvocationBuilderExtensions
{
    /// <summary>
    /// Runs the tool loop with <paramref name="tools"/>. Add it before <c>UseTracing</c> so that every model call gets its own
    /// CLIENT span under the loop span; the tree is sensible in the other order too (see <see cref="ToolInvocationMiddleware"/>).
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="tools">The functions, usually from <see cref="AIFunctionFactory"/>.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseToolInvocation(this GenerationPipelineBuilder builder, params AIFunction[] tools)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(tools);
        return builder.UseToolInvocation(options =>
        {
            foreach (var tool in tools)
            {
                options.Tools.Add(tool);
            }
        });
    }

    /// <summary>Runs the tool loop with the tools and settings <paramref name="configure"/> sets; the meter factory comes from the services.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Fills the options.</param>
    /// <returns>The builder.</returns>
    public static GenerationPipelineBuilder UseToolInvocation(this GenerationPipelineBuilder builder, Action<ToolInvocationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.Use(services =>
        {
            var options = new ToolInvocationOptions { MeterFactory = services.GetService(typeof(IMeterFactory)) as IMeterFactory };
            configure(options);
            return new ToolInvocationMiddleware(options);
        });
    }
}
