namespace Mellea;

/// <summary>
/// The names of the environment variables that <see cref="MelleaTelemetrySettings.FromEnvironment"/> reads. They match
/// Python Mellea's and the OpenTelemetry specification's, so one deployment configures both.
/// </summary>
public static class MelleaTelemetryVariables
{
    /// <summary>Turns tracing on (truthy: <c>true</c>, <c>1</c>, <c>yes</c>). Off by default.</summary>
    public const string TracesEnabled = "MELLEA_TRACES_ENABLED";

    /// <summary>Exports spans over OTLP. Needs an endpoint.</summary>
    public const string TracesOtlp = "MELLEA_TRACES_OTLP";

    /// <summary>Writes spans to standard output.</summary>
    public const string TracesConsole = "MELLEA_TRACES_CONSOLE";

    /// <summary>Lets message content into spans (read by the tracing middleware).</summary>
    public const string TracesContent = "MELLEA_TRACES_CONTENT";

    /// <summary>Turns metrics on.</summary>
    public const string MetricsEnabled = "MELLEA_METRICS_ENABLED";

    /// <summary>Exports metrics over OTLP. Needs an endpoint.</summary>
    public const string MetricsOtlp = "MELLEA_METRICS_OTLP";

    /// <summary>Writes metrics to standard output.</summary>
    public const string MetricsConsole = "MELLEA_METRICS_CONSOLE";

    /// <summary>The OTLP endpoint of every signal, unless a signal-specific one is set.</summary>
    public const string OtlpEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The OTLP endpoint of spans, used exactly as given.</summary>
    public const string OtlpTracesEndpoint = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>The OTLP endpoint of metrics, used exactly as given.</summary>
    public const string OtlpMetricsEndpoint = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";

    /// <summary>The OTLP protocol of every signal: <c>grpc</c> or <c>http/protobuf</c>.</summary>
    public const string OtlpProtocol = "OTEL_EXPORTER_OTLP_PROTOCOL";

    /// <summary>The OTLP protocol of spans, before <see cref="OtlpProtocol"/>.</summary>
    public const string OtlpTracesProtocol = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";

    /// <summary>The OTLP protocol of metrics, before <see cref="OtlpProtocol"/>.</summary>
    public const string OtlpMetricsProtocol = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";

    /// <summary>How long one OTLP export may take, in milliseconds.</summary>
    public const string OtlpTimeout = "OTEL_EXPORTER_OTLP_TIMEOUT";

    /// <summary>The <c>service.name</c> resource attribute (default <c>mellea</c>).</summary>
    public const string ServiceName = "OTEL_SERVICE_NAME";

    /// <summary>The metric export interval in milliseconds (default 60000).</summary>
    public const string MetricExportInterval = "OTEL_METRIC_EXPORT_INTERVAL";

    /// <summary>Deprecated: use <see cref="TracesEnabled"/>.</summary>
    public const string DeprecatedTraceApplication = "MELLEA_TRACE_APPLICATION";

    /// <summary>Deprecated: use <see cref="TracesEnabled"/>.</summary>
    public const string DeprecatedTraceBackend = "MELLEA_TRACE_BACKEND";

    /// <summary>Deprecated: use <see cref="TracesConsole"/>.</summary>
    public const string DeprecatedTraceConsole = "MELLEA_TRACE_CONSOLE";

    /// <summary>Deprecated: use <see cref="TracesContent"/>.</summary>
    public const string DeprecatedTraceContent = "MELLEA_TRACE_CONTENT";
}
