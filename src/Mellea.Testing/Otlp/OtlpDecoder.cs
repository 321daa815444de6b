using Google.Protobuf.Collections;
using OpenTelemetry.Proto.Collector.Metrics.V1;
using OpenTelemetry.Proto.Collector.Trace.V1;
using OpenTelemetry.Proto.Common.V1;
using OpenTelemetry.Proto.Metrics.V1;

namespace Mellea.Testing.Otlp;

/// <summary>Turns generated OTLP messages into the receiver's plain, test-friendly model.</summary>
internal static class OtlpDecoder
{
    public static List<ReceivedSpan> Decode(ExportTraceServiceRequest request)
    {
        var spans = new List<ReceivedSpan>();
        foreach (var resourceSpans in request.ResourceSpans)
        {
            var resource = Attributes(resourceSpans.Resource?.Attributes);
            foreach (var scopeSpans in resourceSpans.ScopeSpans)
            {
                foreach (var span in scopeSpans.Spans)
                {
                    spans.Add(new ReceivedSpan
                    {
                        TraceId = Convert.ToHexStringLower(span.TraceId.Span),
                        SpanId = Convert.ToHexStringLower(span.SpanId.Span),
                        ParentSpanId = span.ParentSpanId.IsEmpty ? null : Convert.ToHexStringLower(span.ParentSpanId.Span),
                        Name = span.Name,
                        Kind = span.Kind.ToString(),
                        StatusCode = span.Status?.Code.ToString() ?? "Unset",
                        StatusMessage = string.IsNullOrEmpty(span.Status?.Message) ? null : span.Status.Message,
                        StartTimeUnixNano = span.StartTimeUnixNano,
                        EndTimeUnixNano = span.EndTimeUnixNano,
                        Attributes = Attributes(span.Attributes),
                        Events = [.. span.Events.Select(e => new ReceivedSpanEvent { Name = e.Name, TimeUnixNano = e.TimeUnixNano, Attributes = Attributes(e.Attributes) })],
                        ScopeName = scopeSpans.Scope?.Name ?? string.Empty,
                        ScopeVersion = string.IsNullOrEmpty(scopeSpans.Scope?.Version) ? null : scopeSpans.Scope.Version,
                        ResourceAttributes = resource,
                    });
                }
            }
        }

        return spans;
    }

    public static List<ReceivedMetric> Decode(ExportMetricsServiceRequest request)
    {
        var metrics = new List<ReceivedMetric>();
        foreach (var resourceMetrics in request.ResourceMetrics)
        {
            var resource = Attributes(resourceMetrics.Resource?.Attributes);
            foreach (var scopeMetrics in resourceMetrics.ScopeMetrics)
            {
                foreach (var metric in scopeMetrics.Metrics)
                {
                    metrics.Add(new ReceivedMetric
                    {
                        Name = metric.Name,
                        Unit = string.IsNullOrEmpty(metric.Unit) ? null : metric.Unit,
                        Description = string.IsNullOrEmpty(metric.Description) ? null : metric.Description,
                        Kind = metric.DataCase.ToString(),
                        Points = Points(metric),
                        ScopeName = scopeMetrics.Scope?.Name ?? string.Empty,
                        ResourceAttributes = resource,
                    });
                }
            }
        }

        return metrics;
    }

    private static List<ReceivedMetricPoint> Points(Metric metric) => metric.DataCase switch
    {
        Metric.DataOneofCase.Sum => [.. metric.Sum.DataPoints.Select(NumberPoint)],
        Metric.DataOneofCase.Gauge => [.. metric.Gauge.DataPoints.Select(NumberPoint)],
        Metric.DataOneofCase.Histogram => [.. metric.Histogram.DataPoints.Select(point => new ReceivedMetricPoint
        {
            Attributes = Attributes(point.Attributes),
            Count = point.Count,
            Sum = point.HasSum ? point.Sum : null,
            ExplicitBounds = [.. point.ExplicitBounds],
            BucketCounts = [.. point.BucketCounts],
        })],
        Metric.DataOneofCase.ExponentialHistogram => [.. metric.ExponentialHistogram.DataPoints.Select(point => new ReceivedMetricPoint
        {
            Attributes = Attributes(point.Attributes),
            Count = point.Count,
            Sum = point.HasSum ? point.Sum : null,
        })],
        _ => [],
    };

    private static ReceivedMetricPoint NumberPoint(NumberDataPoint point) => new()
    {
        Attributes = Attributes(point.Attributes),
        Value = point.ValueCase == NumberDataPoint.ValueOneofCase.AsInt ? point.AsInt : point.AsDouble,
    };

    private static Dictionary<string, object?> Attributes(RepeatedField<KeyValue>? attributes)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (attributes is not null)
        {
            foreach (var attribute in attributes)
            {
                result[attribute.Key] = Value(attribute.Value);
            }
        }

        return result;
    }

    private static object? Value(AnyValue? value) => value?.ValueCase switch
    {
        AnyValue.ValueOneofCase.StringValue => value.StringValue,
        AnyValue.ValueOneofCase.BoolValue => value.BoolValue,
        AnyValue.ValueOneofCase.IntValue => value.IntValue,
        AnyValue.ValueOneofCase.DoubleValue => value.DoubleValue,
        AnyValue.ValueOneofCase.ArrayValue => value.ArrayValue.Values.Select(Value).ToArray(),
        AnyValue.ValueOneofCase.BytesValue => value.BytesValue.ToByteArray(),
        AnyValue.ValueOneofCase.KvlistValue => value.KvlistValue.Values.ToDictionary(pair => pair.Key, pair => Value(pair.Value), StringComparer.Ordinal),
        _ => null,
    };
}
