namespace Mellea.Benchmarks;

/// <summary>Who listens while a benchmark runs.</summary>
public enum TelemetryState
{
    /// <summary>No ActivityListener, no MeterListener: the middlewares must cost nothing.</summary>
    NoListeners,

    /// <summary>An OpenTelemetry SDK sampling every span into an exporter that drops them, and a MeterProvider with a reader.</summary>
    Listening,

    /// <summary>As <see cref="Listening"/>, with content capture on in the tracing middleware.</summary>
    ContentCapture,
}
