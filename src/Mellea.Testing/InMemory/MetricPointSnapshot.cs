using OpenTelemetry.Metrics;

namespace Mellea.Testing;

/// <summary>One data point of a <see cref="MetricSnapshot"/>: its attributes and its value.</summary>
public sealed class MetricPointSnapshot
{
    private MetricPointSnapshot(IReadOnlyDictionary<string, object?> tags)
    {
        Tags = tags;
    }

    /// <summary>The point's attributes.</summary>
    public IReadOnlyDictionary<string, object?> Tags { get; }

    /// <summary>The sum of a counter or the last value of a gauge; null for histograms.</summary>
    public double? Value { get; private init; }

    /// <summary>How many values a histogram received; null for other types.</summary>
    public long? Count { get; private init; }

    /// <summary>The sum of a histogram's values; null for other types.</summary>
    public double? Sum { get; private init; }

    /// <summary>A histogram's explicit bucket upper bounds, without the final +∞; empty for other types.</summary>
    public IReadOnlyList<double> ExplicitBounds { get; private init; } = [];

    /// <summary>A histogram's bucket counts, one more than <see cref="ExplicitBounds"/>; empty for other types.</summary>
    public IReadOnlyList<long> BucketCounts { get; private init; } = [];

    /// <summary>Copies <paramref name="point"/>.</summary>
    /// <param name="type">The metric's aggregation.</param>
    /// <param name="point">The SDK's point, valid only during the export call.</param>
    public static MetricPointSnapshot From(MetricType type, in MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        switch (type)
        {
            case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                return new MetricPointSnapshot(tags) { Value = point.GetSumLong() };
            case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                return new MetricPointSnapshot(tags) { Value = point.GetSumDouble() };
            case MetricType.LongGauge:
                return new MetricPointSnapshot(tags) { Value = point.GetGaugeLastValueLong() };
            case MetricType.DoubleGauge:
                return new MetricPointSnapshot(tags) { Value = point.GetGaugeLastValueDouble() };
            case MetricType.Histogram:
                var bounds = new List<double>();
                var counts = new List<long>();
                foreach (var bucket in point.GetHistogramBuckets())
                {
                    if (!double.IsPositiveInfinity(bucket.ExplicitBound))
                    {
                        bounds.Add(bucket.ExplicitBound);
                    }

                    counts.Add(bucket.BucketCount);
                }

                return new MetricPointSnapshot(tags)
                {
                    Count = point.GetHistogramCount(),
                    Sum = point.GetHistogramSum(),
                    ExplicitBounds = bounds,
                    BucketCounts = counts,
                };
            default:
                return new MetricPointSnapshot(tags) { Count = point.GetHistogramCount(), Sum = point.GetHistogramSum() };
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"{string.Join(", ", Tags.Select(tag => $"{tag.Key}={tag.Value}"))}: value={Value} count={Count} sum={Sum}";
}
