using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Mellea.Testing;

/// <summary>
/// Keeps a <see cref="MetricSnapshot"/> of every exported metric, so a test can assert on names, units, attributes,
/// values and bucket boundaries after the real OpenTelemetry SDK aggregated them. Add it with
/// <see cref="InMemoryExporterProviderBuilderExtensions.AddInMemoryExporter(OpenTelemetry.Metrics.MeterProviderBuilder, InMemoryMetricExporter)"/>
/// and call <c>meterProvider.ForceFlush()</c> to collect.
/// </summary>
/// <remarks>
/// Thread-safe. The SDK reuses its <see cref="Metric"/> objects between collections, so the exporter copies each one;
/// with cumulative temporality the latest snapshot of a metric holds its totals.
/// </remarks>
public sealed class InMemoryMetricExporter : BaseExporter<Metric>
{
    private readonly Lock _gate = new();
    private readonly List<MetricSnapshot> _metrics = [];

    /// <summary>A copy of the snapshots exported so far, oldest first.</summary>
    public IReadOnlyList<MetricSnapshot> Metrics
    {
        get
        {
            lock (_gate)
            {
                return [.. _metrics];
            }
        }
    }

    /// <summary>The latest snapshot of the metric named <paramref name="name"/>, or null when none was exported.</summary>
    /// <param name="name">The instrument name, for example <c>gen_ai.client.operation.duration</c>.</param>
    public MetricSnapshot? Latest(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        lock (_gate)
        {
            return _metrics.FindLast(metric => metric.Name == name);
        }
    }

    /// <summary>Forgets the snapshots exported so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _metrics.Clear();
        }
    }

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Metric> batch)
    {
        var snapshots = new List<MetricSnapshot>();
        foreach (var metric in batch)
        {
            snapshots.Add(MetricSnapshot.From(metric));
        }

        lock (_gate)
        {
            _metrics.AddRange(snapshots);
        }

        return ExportResult.Success;
    }
}
