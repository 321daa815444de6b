namespace Mellea.Testing;

/// <summary>One data point of a <see cref="ReceivedMetric"/>.</summary>
public sealed class ReceivedMetricPoint
{
    /// <summary>The point's attributes.</summary>
    public required IReadOnlyDictionary<string, object?> Attributes { get; init; }

    /// <summary>The value of a sum or gauge point; null for histograms.</summary>
    public double? Value { get; init; }

    /// <summary>How many values a histogram point received; null for sums and gauges.</summary>
    public ulong? Count { get; init; }

    /// <summary>The sum of a histogram point's values, when sent.</summary>
    public double? Sum { get; init; }

    /// <summary>A histogram point's explicit bucket bounds.</summary>
    public IReadOnlyList<double> ExplicitBounds { get; init; } = [];

    /// <summary>A histogram point's bucket counts.</summary>
    public IReadOnlyList<ulong> BucketCounts { get; init; } = [];

    /// <inheritdoc/>
    public override string ToString() => $"{Attributes.Count} attribute(s): value={Value} count={Count} sum={Sum}";
}
