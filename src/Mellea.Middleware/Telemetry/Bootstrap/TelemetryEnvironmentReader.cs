using System.Globalization;
using OpenTelemetry.Exporter;

namespace Mellea.Telemetry.Bootstrap;

/// <summary>
/// Turns environment variables into <see cref="MelleaTelemetrySettings"/>. Each problem becomes exactly one warning,
/// so that an enabled signal that cannot export is never silent and a correct setup is never noisy.
/// </summary>
internal static class TelemetryEnvironmentReader
{
    private const string TracesSignalPath = "v1/traces";
    private const string MetricsSignalPath = "v1/metrics";

    public static MelleaTelemetrySettings Read(TelemetryEnvironment env)
    {
        var warnings = new List<string>();
        WarnAboutDeprecatedNames(env, warnings);

        // The new names win; the deprecated ones are read only when the new one is unset.
        var tracesSwitchSet = env.Get(MelleaTelemetryVariables.TracesEnabled) is not null
            || env.Get(MelleaTelemetryVariables.DeprecatedTraceApplication) is not null
            || env.Get(MelleaTelemetryVariables.DeprecatedTraceBackend) is not null;
        var tracesEnabled = env.Get(MelleaTelemetryVariables.TracesEnabled) is not null
            ? env.IsTrue(MelleaTelemetryVariables.TracesEnabled)
            : env.IsTrue(MelleaTelemetryVariables.DeprecatedTraceApplication) || env.IsTrue(MelleaTelemetryVariables.DeprecatedTraceBackend);
        var tracesConsole = env.Get(MelleaTelemetryVariables.TracesConsole) is not null
            ? env.IsTrue(MelleaTelemetryVariables.TracesConsole)
            : env.IsTrue(MelleaTelemetryVariables.DeprecatedTraceConsole);
        var traces = ReadSignal(
            env,
            warnings,
            new SignalNames("Tracing", "spans", MelleaTelemetryVariables.TracesEnabled, MelleaTelemetryVariables.TracesOtlp, MelleaTelemetryVariables.TracesConsole, MelleaTelemetryVariables.OtlpTracesEndpoint, MelleaTelemetryVariables.OtlpTracesProtocol, TracesSignalPath),
            tracesEnabled,
            tracesSwitchSet,
            tracesConsole);

        var metrics = ReadSignal(
            env,
            warnings,
            new SignalNames("Metrics", "metrics", MelleaTelemetryVariables.MetricsEnabled, MelleaTelemetryVariables.MetricsOtlp, MelleaTelemetryVariables.MetricsConsole, MelleaTelemetryVariables.OtlpMetricsEndpoint, MelleaTelemetryVariables.OtlpMetricsProtocol, MetricsSignalPath),
            env.IsTrue(MelleaTelemetryVariables.MetricsEnabled),
            env.Get(MelleaTelemetryVariables.MetricsEnabled) is not null,
            env.IsTrue(MelleaTelemetryVariables.MetricsConsole));

        var interval = metrics.Exports
            ? ReadMilliseconds(env, MelleaTelemetryVariables.MetricExportInterval, MelleaTelemetrySettings.DefaultMetricExportInterval, warnings)
            : MelleaTelemetrySettings.DefaultMetricExportInterval;
        var exportTimeout = traces.OtlpEndpoint is not null || metrics.OtlpEndpoint is not null
            ? ReadMilliseconds(env, MelleaTelemetryVariables.OtlpTimeout, MelleaTelemetrySettings.DefaultExportTimeout, warnings)
            : MelleaTelemetrySettings.DefaultExportTimeout;

        return new MelleaTelemetrySettings
        {
            TracesEnabled = traces.Enabled,
            TracesOtlpEndpoint = traces.OtlpEndpoint,
            TracesOtlpProtocol = traces.Protocol,
            TracesConsole = traces.Console,
            MetricsEnabled = metrics.Enabled,
            MetricsOtlpEndpoint = metrics.OtlpEndpoint,
            MetricsOtlpProtocol = metrics.Protocol,
            MetricsConsole = metrics.Console,
            MetricExportInterval = interval,
            ExportTimeout = exportTimeout,
            ServiceName = env.Get(MelleaTelemetryVariables.ServiceName) ?? MelleaTelemetrySettings.DefaultServiceName,
            Warnings = warnings.AsReadOnly(),
        };
    }

    /// <summary>The warning a deprecated variable gives, naming its replacement (the bootstrap's and the tracing middleware's).</summary>
    internal static string DeprecationWarning(string oldName, string newName) =>
        $"{oldName} is deprecated and will be removed in the next release; use {newName} instead.";

    private static void WarnAboutDeprecatedNames(TelemetryEnvironment env, List<string> warnings)
    {
        Deprecated(MelleaTelemetryVariables.DeprecatedTraceApplication, MelleaTelemetryVariables.TracesEnabled);
        Deprecated(MelleaTelemetryVariables.DeprecatedTraceBackend, MelleaTelemetryVariables.TracesEnabled);
        Deprecated(MelleaTelemetryVariables.DeprecatedTraceConsole, MelleaTelemetryVariables.TracesConsole);
        Deprecated(MelleaTelemetryVariables.DeprecatedTraceContent, MelleaTelemetryVariables.TracesContent);

        void Deprecated(string oldName, string newName)
        {
            if (env.Get(oldName) is not null)
            {
                warnings.Add(DeprecationWarning(oldName, newName));
            }
        }
    }

    private static Signal ReadSignal(TelemetryEnvironment env, List<string> warnings, SignalNames names, bool enabled, bool switchSet, bool console)
    {
        var otlpRequested = env.IsTrue(names.Otlp);
        if (!enabled)
        {
            // An exporter with the switch left unset is a forgotten switch. An explicit "false" is an operator turning
            // the signal off while keeping its exporters configured, which deserves no warning.
            if (!switchSet && (otlpRequested || console))
            {
                var exporter = otlpRequested ? names.Otlp : names.Console;
                warnings.Add($"{exporter} is set but {names.Enabled} is not, so {names.Noun} are not recorded. Set {names.Enabled}=true to export them.");
            }

            return new Signal(false, null, OtlpExportProtocol.Grpc, false);
        }

        Uri? endpoint = null;
        var protocol = OtlpExportProtocol.Grpc;
        if (otlpRequested)
        {
            protocol = ReadProtocol(env, names.SpecificProtocol, warnings);
            endpoint = ReadEndpoint(env, names, protocol, warnings);
        }
        else if (!console)
        {
            warnings.Add(
                $"{names.Title} is enabled ({names.Enabled}) but no exporter is set, so {names.Noun} go nowhere. "
                + $"Set {names.Otlp}=true with {MelleaTelemetryVariables.OtlpEndpoint}, or {names.Console}=true.");
        }

        return new Signal(true, endpoint, protocol, console);
    }

    private static Uri? ReadEndpoint(TelemetryEnvironment env, SignalNames names, OtlpExportProtocol protocol, List<string> warnings)
    {
        var specific = env.Get(names.SpecificEndpoint);
        var variable = specific is not null ? names.SpecificEndpoint : MelleaTelemetryVariables.OtlpEndpoint;
        var value = specific ?? env.Get(MelleaTelemetryVariables.OtlpEndpoint);
        if (value is null)
        {
            warnings.Add(
                $"{names.Otlp} is set but neither {names.SpecificEndpoint} nor {MelleaTelemetryVariables.OtlpEndpoint} is, "
                + $"so {names.Noun} are not exported over OTLP. Set one of them (for example http://localhost:4317).");
            return null;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps))
        {
            // The value itself is not repeated: an endpoint may carry a token.
            warnings.Add($"{variable} is not an absolute http:// or https:// URL, so {names.Noun} are not exported over OTLP.");
            return null;
        }

        // The OpenTelemetry specification: a signal-specific endpoint is used as given; the generic one is a base
        // to which OTLP/HTTP appends the signal's path. gRPC has no path.
        if (specific is null && protocol == OtlpExportProtocol.HttpProtobuf)
        {
            var baseText = endpoint.AbsoluteUri.EndsWith('/') ? endpoint.AbsoluteUri : endpoint.AbsoluteUri + "/";
            endpoint = new Uri(baseText + names.SignalPath, UriKind.Absolute);
        }

        return endpoint;
    }

    private static OtlpExportProtocol ReadProtocol(TelemetryEnvironment env, string specificVariable, List<string> warnings)
    {
        var variable = env.Get(specificVariable) is not null ? specificVariable : MelleaTelemetryVariables.OtlpProtocol;
        var value = env.Get(variable);
        switch (value?.ToLowerInvariant())
        {
            case null:
            case "grpc":
                return OtlpExportProtocol.Grpc;
            case "http/protobuf":
                return OtlpExportProtocol.HttpProtobuf;
            default:
                warnings.Add($"{variable}='{value}' is not supported (use grpc or http/protobuf); using grpc.");
                return OtlpExportProtocol.Grpc;
        }
    }

    private static TimeSpan ReadMilliseconds(TelemetryEnvironment env, string variable, TimeSpan fallback, List<string> warnings)
    {
        var value = env.Get(variable);
        if (value is null)
        {
            return fallback;
        }

        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds > 0)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        warnings.Add($"{variable}='{value}' is not a positive whole number of milliseconds; using {fallback.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)}.");
        return fallback;
    }

    private readonly record struct SignalNames(
        string Title,
        string Noun,
        string Enabled,
        string Otlp,
        string Console,
        string SpecificEndpoint,
        string SpecificProtocol,
        string SignalPath);

    private readonly record struct Signal(bool Enabled, Uri? OtlpEndpoint, OtlpExportProtocol Protocol, bool Console)
    {
        public bool Exports => Enabled && (OtlpEndpoint is not null || Console);
    }
}
