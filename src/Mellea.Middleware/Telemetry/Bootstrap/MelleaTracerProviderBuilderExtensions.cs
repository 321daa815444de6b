using Mellea;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes an OpenTelemetry <see cref="TracerProviderBuilder"/> to Mellea's spans.</summary>
public static class MelleaTracerProviderBuilderExtensions
{
    /// <summary>
    /// Adds Mellea's two <see cref="System.Diagnostics.ActivitySource"/>s: generation spans
    /// (<see cref="MelleaTelemetry.GenerationSourceName"/>) and application and tool spans
    /// (<see cref="MelleaTelemetry.ApplicationSourceName"/>). Exporters, samplers and the resource stay the application's choice.
    /// </summary>
    /// <param name="builder">The application's tracer provider builder.</param>
    /// <returns>The same builder.</returns>
    public static TracerProviderBuilder AddMelleaInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(MelleaTelemetry.GenerationSourceName, MelleaTelemetry.ApplicationSourceName);
    }
}
