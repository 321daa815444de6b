namespace Mellea.Testing;

/// <summary>A metric decoded from an OTLP export, with the resource and scope it came in.</summary>
/// <remarks>Exports are cumulative by default, so the same metric arrives once per export; the latest holds the totals.</remarks>
public sealed class ReceivedMetric
{
    /// <summary>The instrument name.</summary>
    public required string Name { get; init; }

    /// <summary>The unit.</summary>
    public string? Unit { get; init; }

    /// <summary>The description.</summary>
    public string? Description { get; init; }

    /// <summary>The data kind: <c>Sum</c>, <c>Gauge</c>, <c>Histogram</c>, <c>ExponentialHistogram</c> or <c>Summary</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The data points, one per attribute set.</summary>
    public required IReadOnlyList<ReceivedMetricPoint> Points { get; init; }

    /// <summary>The instrumentation scope (the <c>Meter</c> name).</summary>
    public required string ScopeName { get; init; }

    /// <summary>The resource attributes of the exporting process.</summary>
    public required IReadOnlyDictionary<string, object?> ResourceAttributes { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{ScopeName}: {Name} [{Unit}] {Kind}, {Points.Count} point(s)";
}
