using OpenTelemetry.Metrics;

namespace Mellea.Testing;

/// <summary>One exported metric, copied out of the SDK's reusable <see cref="Metric"/>.</summary>
public sealed class MetricSnapshot
{
    private MetricSnapshot(string name, string? unit, string? description, string meterName, MetricType type, IReadOnlyList<MetricPointSnapshot> points)
    {
        Name = name;
        Unit = unit;
        Description = description;
        MeterName = meterName;
        MetricType = type;
        Points = points;
    }

    /// <summary>The instrument name.</summary>
    public string Name { get; }

    /// <summary>The unit, for example <c>s</c> or <c>{token}</c>.</summary>
    public string? Unit { get; }

    /// <summary>The instrument description.</summary>
    public string? Description { get; }

    /// <summary>The meter that created the instrument.</summary>
    public string MeterName { get; }

    /// <summary>The aggregation the SDK applied.</summary>
    public MetricType MetricType { get; }

    /// <summary>One point per distinct attribute set.</summary>
    public IReadOnlyList<MetricPointSnapshot> Points { get; }

    /// <summary>Copies <paramref name="metric"/>.</summary>
    /// <param name="metric">The SDK's metric, valid only during the export call.</param>
    public static MetricSnapshot From(Metric metric)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var points = new List<MetricPointSnapshot>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(MetricPointSnapshot.From(metric.MetricType, point));
        }

        return new MetricSnapshot(metric.Name, metric.Unit, metric.Description, metric.MeterName, metric.MetricType, points);
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} [{Unit}] {MetricType}, {Points.Count} point(s)";
}
