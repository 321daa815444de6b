using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Mellea.Reliability.Tests.Support;

/// <summary>Listens to the Mellea meter and keeps every measurement's instrument and tags as text, to be scanned for secrets.</summary>
internal sealed class MetricTagRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, byte> _lines = new(StringComparer.Ordinal);
    private long _measurements;

    public MetricTagRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MelleaTelemetry.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, tags));
        _listener.Start();
    }

    public long Measurements => Interlocked.Read(ref _measurements);

    /// <summary>Each distinct measurement line (instrument and tags) seen.</summary>
    public IReadOnlyList<string> Lines => [.. _lines.Keys];

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        Interlocked.Increment(ref _measurements);
        var text = new System.Text.StringBuilder(instrument.Name);
        foreach (var tag in tags)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        // Distinct lines only: the scan needs each tag combination once, not a copy per call (the soak measures memory).
        _lines.TryAdd(text.ToString(), 0);
    }
}
