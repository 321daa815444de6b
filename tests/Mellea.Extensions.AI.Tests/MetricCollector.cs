using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Mellea.Extensions.AI.Tests;

/// <summary>One recorded measurement.</summary>
internal sealed record Measured(string Name, double Value, IReadOnlyDictionary<string, object?> Tags)
{
    public object? Tag(string key) => Tags.TryGetValue(key, out var value) ? value : null;
}

/// <summary>Listens to one test's own <see cref="Meter"/> only, so parallel tests never see each other's measurements.</summary>
internal sealed class MetricCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measurements = new();

    public MetricCollector(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                Instruments[instrument.Name] = instrument;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
        _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
        _listener.Start();
    }

    public ConcurrentDictionary<string, Instrument> Instruments { get; } = new();

    public IReadOnlyList<Measured> Of(string name) => [.. _measurements.Where(m => m.Name == name)];

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value;
        }

        _measurements.Enqueue(new Measured(instrument.Name, value, copy));
    }
}
