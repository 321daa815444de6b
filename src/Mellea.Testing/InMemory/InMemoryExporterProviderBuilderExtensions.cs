using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea.Testing;

/// <summary>Adds the in-memory exporters to OpenTelemetry provider builders.</summary>
public static class InMemoryExporterProviderBuilderExtensions
{
    /// <summary>
    /// Exports every span to <paramref name="exporter"/> as it ends, through a simple (synchronous) processor, so a span
    /// is visible to the test as soon as the call that made it returns.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <param name="exporter">The exporter.</param>
    /// <returns>The same builder.</returns>
    public static TracerProviderBuilder AddInMemoryExporter(this TracerProviderBuilder builder, InMemorySpanExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(exporter);
        return builder.AddProcessor(new SimpleActivityExportProcessor(exporter));
    }

    /// <summary>
    /// Exports metrics to <paramref name="exporter"/> whenever the provider is flushed (<c>ForceFlush()</c>) or disposed,
    /// with cumulative temporality. Nothing is exported on a timer, so tests decide when to collect.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <param name="exporter">The exporter.</param>
    /// <returns>The same builder.</returns>
    public static MeterProviderBuilder AddInMemoryExporter(this MeterProviderBuilder builder, InMemoryMetricExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(exporter);
        return builder.AddReader(new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative });
    }
}
