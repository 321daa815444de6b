using System.Diagnostics;
using Mellea.Telemetry.Bootstrap;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Mellea;

/// <summary>
/// Builds OpenTelemetry providers for applications that do not configure OpenTelemetry themselves. Applications that do
/// call <c>AddMelleaInstrumentation()</c> on their own <see cref="TracerProviderBuilder"/> and <see cref="MeterProviderBuilder"/> instead.
/// </summary>
/// <remarks>
/// Export never slows a generation: spans leave through a batch processor and metrics through a periodic reader, both on
/// their own threads, and every export has a bounded timeout. An exporter that fails is retried or dropped by the
/// OpenTelemetry SDK, never reported to the caller.
/// </remarks>
public static class MelleaOpenTelemetry
{
    /// <summary>
    /// Reads <see cref="MelleaTelemetryVariables">the telemetry environment variables</see> and builds the providers they
    /// ask for. With nothing enabled it builds nothing and returns an empty handle. Configuration problems are written as
    /// warnings, one per problem, to <paramref name="loggerFactory"/> or else to standard error. Never throws.
    /// </summary>
    /// <param name="environment">The variables; the process environment when null.</param>
    /// <param name="loggerFactory">Receives configuration warnings; standard error when null.</param>
    /// <returns>The providers. Dispose them at shutdown.</returns>
    public static MelleaTelemetryProviders StartFromEnvironment(TelemetryEnvironment? environment = null, ILoggerFactory? loggerFactory = null)
    {
        MelleaTelemetrySettings settings;
        try
        {
            settings = MelleaTelemetrySettings.FromEnvironment(environment);
        }
        catch (Exception exception)
        {
            // Reading is written not to throw; this guards against an environment delegate that does.
            settings = new MelleaTelemetrySettings { Warnings = [$"Telemetry is off: the environment could not be read ({exception.GetType().Name})."] };
        }

        return Start(settings, loggerFactory);
    }

    /// <summary>
    /// Builds the providers that <paramref name="settings"/> describe and writes its <see cref="MelleaTelemetrySettings.Warnings"/>.
    /// A signal without any exporter gets no provider, so nothing is recorded that nobody reads.
    /// </summary>
    /// <param name="settings">What to build.</param>
    /// <param name="loggerFactory">Receives configuration warnings; standard error when null.</param>
    /// <returns>The providers. Dispose them at shutdown.</returns>
    public static MelleaTelemetryProviders Start(MelleaTelemetrySettings settings, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var warnings = new List<string>(settings.Warnings ?? []);
        TracerProvider? tracerProvider = null;
        MeterProvider? meterProvider = null;
        try
        {
            tracerProvider = settings.ExportsTraces ? BuildTracerProvider(settings) : null;
        }
        catch (Exception exception)
        {
            warnings.Add($"Tracing is off: the tracer provider could not be built ({exception.GetType().Name}: {exception.Message}).");
        }

        try
        {
            meterProvider = settings.ExportsMetrics ? BuildMeterProvider(settings) : null;
        }
        catch (Exception exception)
        {
            warnings.Add($"Metrics are off: the meter provider could not be built ({exception.GetType().Name}: {exception.Message}).");
        }

        TelemetryWarningSink.Write(warnings, loggerFactory);
        return new MelleaTelemetryProviders(settings, tracerProvider, meterProvider);
    }

    private static TracerProvider BuildTracerProvider(MelleaTelemetrySettings settings)
    {
        var builder = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(CreateResource(settings))
            .AddMelleaInstrumentation();
        if (settings.TracesOtlpEndpoint is { } endpoint)
        {
            var exporter = new OtlpTraceExporter(CreateOtlpOptions(endpoint, settings.TracesOtlpProtocol, settings));
            builder.AddProcessor(new BatchActivityExportProcessor(
                exporter,
                exporterTimeoutMilliseconds: Milliseconds(settings.ExportTimeout)));
        }

        if (settings.TracesConsole)
        {
            builder.AddProcessor(new BatchActivityExportProcessor(new MelleaConsoleSpanExporter()));
        }

        return builder.Build();
    }

    private static MeterProvider BuildMeterProvider(MelleaTelemetrySettings settings)
    {
        var builder = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(CreateResource(settings))
            .AddMelleaInstrumentation();
        var interval = Milliseconds(settings.MetricExportInterval);
        var timeout = Milliseconds(settings.ExportTimeout);
        if (settings.MetricsOtlpEndpoint is { } endpoint)
        {
            var exporter = new OtlpMetricExporter(CreateOtlpOptions(endpoint, settings.MetricsOtlpProtocol, settings));
            builder.AddReader(new PeriodicExportingMetricReader(exporter, interval, timeout));
        }

        if (settings.MetricsConsole)
        {
            builder.AddReader(new PeriodicExportingMetricReader(new MelleaConsoleMetricExporter(), interval, timeout));
        }

        return builder.Build();
    }

    private static OtlpExporterOptions CreateOtlpOptions(Uri endpoint, OtlpExportProtocol protocol, MelleaTelemetrySettings settings) => new()
    {
        // The endpoint is final (the signal path already resolved), so the SDK must not append one.
        Endpoint = endpoint,
        Protocol = protocol,
        TimeoutMilliseconds = Milliseconds(settings.ExportTimeout),
    };

    private static ResourceBuilder CreateResource(MelleaTelemetrySettings settings) =>
        ResourceBuilder.CreateDefault().AddService(settings.ServiceName);

    private static int Milliseconds(TimeSpan value)
    {
        Debug.Assert(value > TimeSpan.Zero, "Settings hold positive durations.");
        return (int)Math.Clamp(value.TotalMilliseconds, 1, int.MaxValue);
    }
}
