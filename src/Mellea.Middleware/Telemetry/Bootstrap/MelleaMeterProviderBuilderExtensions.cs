using Mellea;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry <see cref="MeterProviderBuilder"/> to Mellea's metrics.</summary>
public static class MelleaMeterProviderBuilderExtensions
{
    /// <summary>
    /// Adds Mellea's <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="MelleaTelemetry.MeterName"/>).
    /// </summary>
    /// <remarks>
    /// No views are added: each Mellea histogram carries its semantic-convention bucket boundaries as
    /// <see cref="System.Diagnostics.Metrics.InstrumentAdvice{T}"/>, which the OpenTelemetry SDK applies by itself.
    /// A view the application adds for the same instrument still wins.
    /// </remarks>
    /// <param name="builder">The application's meter provider builder.</param>
    /// <returns>The same builder.</returns>
    public static MeterProviderBuilder AddMelleaInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(MelleaTelemetry.MeterName);
    }
}
