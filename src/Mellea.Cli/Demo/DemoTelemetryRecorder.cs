using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mellea.Cli.Demo;

/// <summary>
/// Collects what the demo shows: every finished span of Mellea's sources, the demo's own step spans and the HTTP client's
/// spans (through an in-process <see cref="ActivityListener"/>), and every Mellea measurement (through a <see cref="MeterListener"/>)
/// summed per instrument and attribute set. It listens beside any exporter the environment configured, never instead of one.
/// </summary>
internal sealed class DemoTelemetryRecorder : IDisposable
{
    /// <summary>The demo's own source: one root span per step, so the tree reads step by step.</summary>
    public const string DemoSourceName = "mellea.demo";

    /// <summary>The source of <see cref="HttpClient"/>'s spans, which show the real HTTP requests under each generation span.</summary>
    public const string HttpSourceName = "System.Net.Http";

    private static readonly HashSet<string> SourceNames = [MelleaTelemetry.GenerationSourceName, MelleaTelemetry.ApplicationSourceName, DemoSourceName, HttpSourceName];

    /// <summary>The tags that name a metric's series in the summary; the rest (server, model) are the same for every demo call.</summary>
    private static readonly string[] SeriesTags =
        [GenAiAttributes.OperationName, GenAiAttributes.TokenType, GenAiAttributes.ErrorType, GenAiAttributes.ToolName, "mellea.error.category"];

    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener;
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ConcurrentDictionary<(string Name, string Series), MetricSeries> _series = new();

    public DemoTelemetryRecorder()
    {
        _activityListener = new ActivityListener
        {
            ShouldListenTo = source => SourceNames.Contains(source.Name),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_activityListener);

        _meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == MelleaTelemetry.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _meterListener.Start();
    }

    /// <summary>The demo's step source.</summary>
    public static ActivitySource DemoSource { get; } = new(DemoSourceName);

    /// <summary>The finished spans, in the order they ended.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    /// <summary>The metric series, by instrument name then series.</summary>
    public IReadOnlyList<MetricSeries> Metrics => [.. _series.Values.OrderBy(series => series.Name, StringComparer.Ordinal).ThenBy(series => series.Series, StringComparer.Ordinal)];

    /// <inheritdoc/>
    public void Dispose()
    {
        _activityListener.Dispose();
        _meterListener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>(2);
        foreach (var tag in tags)
        {
            if (Array.IndexOf(SeriesTags, tag.Key) >= 0)
            {
                parts.Add($"{tag.Key}={tag.Value}");
            }
        }

        parts.Sort(StringComparer.Ordinal);
        var series = _series.GetOrAdd((instrument.Name, string.Join(", ", parts)), key => new MetricSeries(key.Name, instrument.Unit, key.Series, instrument is Histogram<double> or Histogram<long> or Histogram<int>));
        series.Add(value);
    }
}
