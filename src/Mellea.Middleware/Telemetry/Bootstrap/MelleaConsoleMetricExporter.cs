using System.Text;
using Mellea.Telemetry.Bootstrap;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Mellea;

/// <summary>
/// Writes each collected metric as one readable block: a line with name, unit, type and meter, then one indented line
/// per data point with its attributes and value (sum, gauge, or count, sum and non-empty buckets of a histogram).
/// For development; production exports over OTLP.
/// </summary>
/// <remarks>Never throws: a writer that fails makes the export fail, which the SDK drops.</remarks>
public sealed class MelleaConsoleMetricExporter : BaseExporter<Metric>
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Creates an exporter that writes to standard output.</summary>
    public MelleaConsoleMetricExporter()
        : this(Console.Out)
    {
    }

    /// <summary>Creates an exporter that writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">The destination. Calls are serialized, so it need not be thread-safe.</param>
    public MelleaConsoleMetricExporter(TextWriter writer) => _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Metric> batch)
    {
        try
        {
            var text = new StringBuilder();
            foreach (var metric in batch)
            {
                Format(metric, text);
            }

            lock (_gate)
            {
                _writer.Write(text.ToString());
                _writer.Flush();
            }

            return ExportResult.Success;
        }
        catch (Exception)
        {
            return ExportResult.Failure;
        }
    }

    private static void Format(Metric metric, StringBuilder text)
    {
        text.Append("metric ").Append(metric.Name);
        if (!string.IsNullOrEmpty(metric.Unit))
        {
            text.Append(" [").Append(metric.Unit).Append(']');
        }

        text.Append(' ').Append(metric.MetricType).Append(" meter=").Append(metric.MeterName).Append('\n');
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            text.Append(' ');
            var tags = new List<KeyValuePair<string, object?>>();
            foreach (var tag in point.Tags)
            {
                tags.Add(tag);
            }

            TelemetryValueFormatter.AppendTags(text, tags);
            text.Append(' ');
            AppendValue(metric.MetricType, point, text);
            text.Append('\n');
        }
    }

    private static void AppendValue(MetricType type, in MetricPoint point, StringBuilder text)
    {
        switch (type)
        {
            case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                text.Append("sum=").Append(point.GetSumLong());
                break;
            case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                text.Append("sum=").Append(TelemetryValueFormatter.Number(point.GetSumDouble()));
                break;
            case MetricType.LongGauge:
                text.Append("value=").Append(point.GetGaugeLastValueLong());
                break;
            case MetricType.DoubleGauge:
                text.Append("value=").Append(TelemetryValueFormatter.Number(point.GetGaugeLastValueDouble()));
                break;
            case MetricType.Histogram:
                text.Append("count=").Append(point.GetHistogramCount())
                    .Append(" sum=").Append(TelemetryValueFormatter.Number(point.GetHistogramSum()));
                AppendBuckets(point, text);
                break;
            case MetricType.ExponentialHistogram:
                text.Append("count=").Append(point.GetHistogramCount())
                    .Append(" sum=").Append(TelemetryValueFormatter.Number(point.GetHistogramSum()));
                break;
            default:
                text.Append("(unsupported metric type)");
                break;
        }
    }

    private static void AppendBuckets(in MetricPoint point, StringBuilder text)
    {
        // Only the buckets that received values: 15 empty buckets per point make the output unreadable.
        var first = true;
        foreach (var bucket in point.GetHistogramBuckets())
        {
            if (bucket.BucketCount == 0)
            {
                continue;
            }

            text.Append(first ? " buckets={" : ", ")
                .Append("<=").Append(double.IsPositiveInfinity(bucket.ExplicitBound) ? "+Inf" : TelemetryValueFormatter.Number(bucket.ExplicitBound))
                .Append(':').Append(bucket.BucketCount);
            first = false;
        }

        if (!first)
        {
            text.Append('}');
        }
    }
}
