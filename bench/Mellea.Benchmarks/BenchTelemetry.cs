using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea.Benchmarks;

/// <summary>Starts the OpenTelemetry SDK the way an application does, exporting into nothing, and builds the full pipeline.</summary>
internal static class BenchTelemetry
{
    /// <summary>Starts the listeners for <paramref name="state"/>; null when nothing should listen.</summary>
    public static IDisposable? Start(TelemetryState state)
    {
        if (state == TelemetryState.NoListeners)
        {
            return null;
        }

        var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(MelleaTelemetry.GenerationSourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new SimpleActivityExportProcessor(new DroppingExporter()))
            .Build()!;
        var meter = Sdk.CreateMeterProviderBuilder()
            .AddMeter(MelleaTelemetry.MeterName)
            .AddReader(new PeriodicExportingMetricReader(new DroppingMetricExporter(), exportIntervalMilliseconds: 60_000))
            .Build()!;
        return new Both(tracer, meter);
    }

    /// <summary>The full pipeline: tracing (content capture as the state says), metrics, retry, around <paramref name="handler"/>.</summary>
    public static GenerationPipeline FullPipeline(IGenerationHandler handler, TelemetryState state) =>
        handler.AsBuilder()
            .UseTracing(o =>
            {
                o.CaptureContent = state == TelemetryState.ContentCapture;
                o.ChunkEvents = false;
                o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
            })
            .UseMetrics(o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>()))
            .UseRetry()
            .Build();

    private sealed class Both(TracerProvider tracer, MeterProvider meter) : IDisposable
    {
        public void Dispose()
        {
            tracer.Dispose();
            meter.Dispose();
        }
    }

    private sealed class DroppingExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch) => ExportResult.Success;
    }

    private sealed class DroppingMetricExporter : BaseExporter<Metric>
    {
        public override ExportResult Export(in Batch<Metric> batch) => ExportResult.Success;
    }
}
