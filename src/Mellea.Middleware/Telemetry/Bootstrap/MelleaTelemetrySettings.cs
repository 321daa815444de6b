using Mellea.Telemetry.Bootstrap;
using OpenTelemetry.Exporter;

namespace Mellea;

/// <summary>
/// What <see cref="MelleaOpenTelemetry.Start"/> builds: which signals are on, where they go, and the warnings that
/// reading the configuration produced. <see cref="FromEnvironment"/> reads it from the environment variables listed in
/// <see cref="MelleaTelemetryVariables"/>; applications may also build one directly.
/// </summary>
/// <remarks>Immutable and thread-safe. Reading never throws: every bad value becomes one entry of <see cref="Warnings"/>.</remarks>
public sealed class MelleaTelemetrySettings
{
    /// <summary>The <c>service.name</c> used when <c>OTEL_SERVICE_NAME</c> is unset.</summary>
    public const string DefaultServiceName = "mellea";

    /// <summary>The metric export interval used when <c>OTEL_METRIC_EXPORT_INTERVAL</c> is unset or invalid.</summary>
    public static readonly TimeSpan DefaultMetricExportInterval = TimeSpan.FromMilliseconds(60_000);

    /// <summary>The time one OTLP export may take, when <c>OTEL_EXPORTER_OTLP_TIMEOUT</c> is unset or invalid.</summary>
    public static readonly TimeSpan DefaultExportTimeout = TimeSpan.FromMilliseconds(10_000);

    /// <summary>The time <see cref="MelleaTelemetryProviders.Dispose"/> may take to flush and shut down.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromMilliseconds(5_000);

    /// <summary>Whether a tracer provider is built. Off by default.</summary>
    public bool TracesEnabled { get; init; }

    /// <summary>Where spans are exported over OTLP, or null for no OTLP span export.</summary>
    public Uri? TracesOtlpEndpoint { get; init; }

    /// <summary>The OTLP protocol of spans.</summary>
    public OtlpExportProtocol TracesOtlpProtocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>Whether spans are written to standard output.</summary>
    public bool TracesConsole { get; init; }

    /// <summary>Whether a meter provider is built. Off by default.</summary>
    public bool MetricsEnabled { get; init; }

    /// <summary>Where metrics are exported over OTLP, or null for no OTLP metric export.</summary>
    public Uri? MetricsOtlpEndpoint { get; init; }

    /// <summary>The OTLP protocol of metrics.</summary>
    public OtlpExportProtocol MetricsOtlpProtocol { get; init; } = OtlpExportProtocol.Grpc;

    /// <summary>Whether metrics are written to standard output.</summary>
    public bool MetricsConsole { get; init; }

    /// <summary>How often metrics are collected and exported.</summary>
    public TimeSpan MetricExportInterval { get; init; } = DefaultMetricExportInterval;

    /// <summary>The <c>service.name</c> resource attribute.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary>How long one export may take before it is abandoned.</summary>
    public TimeSpan ExportTimeout { get; init; } = DefaultExportTimeout;

    /// <summary>How long disposing the providers may take, flush included.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = DefaultShutdownTimeout;

    /// <summary>The configuration problems found while reading, one sentence each. Empty when all is well.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Whether spans go anywhere: tracing is on and has at least one exporter.</summary>
    public bool ExportsTraces => TracesEnabled && (TracesOtlpEndpoint is not null || TracesConsole);

    /// <summary>Whether metrics go anywhere: metrics are on and have at least one exporter.</summary>
    public bool ExportsMetrics => MetricsEnabled && (MetricsOtlpEndpoint is not null || MetricsConsole);

    /// <summary>
    /// Reads the settings from environment variables. Signals are off unless enabled; each exporter needs its own opt-in;
    /// the signal-specific OTLP endpoint wins over the generic one. Deprecated names still work and each adds one warning
    /// that names its replacement; a signal that is enabled but cannot export adds exactly one warning.
    /// </summary>
    /// <param name="environment">The variables; the process environment when null.</param>
    /// <returns>The settings, with the warnings found.</returns>
    public static MelleaTelemetrySettings FromEnvironment(TelemetryEnvironment? environment = null) =>
        TelemetryEnvironmentReader.Read(environment ?? TelemetryEnvironment.Process);

    /// <inheritdoc/>
    public override string ToString() =>
        $"traces={(ExportsTraces ? $"on (otlp={Describe(TracesOtlpEndpoint)}, console={TracesConsole})" : "off")}, "
        + $"metrics={(ExportsMetrics ? $"on (otlp={Describe(MetricsOtlpEndpoint)}, console={MetricsConsole}, interval={MetricExportInterval.TotalMilliseconds}ms)" : "off")}, "
        + $"service={ServiceName}";

    // Only scheme, host and port: an endpoint's user info, path or query may carry a token.
    private static string Describe(Uri? endpoint) => endpoint is null ? "off" : $"{endpoint.Scheme}://{endpoint.Host}:{endpoint.Port}";
}
