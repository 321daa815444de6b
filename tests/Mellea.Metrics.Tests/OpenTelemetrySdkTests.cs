using System.Diagnostics.Metrics;
using Mellea.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Mellea.Metrics.Tests;

/// <summary>The OpenTelemetry SDK, with no view, buckets Mellea's histograms by the advice the instruments carry.</summary>
public sealed class OpenTelemetrySdkTests
{
    [Fact]
    public async Task The_sdk_uses_the_advised_bucket_boundaries_without_a_view()
    {
        using var meter = new Meter($"mellea.metrics.sdk.{Guid.NewGuid():N}");
        var exporter = new BucketExporter();
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddReader(new BaseExportingMetricReader(exporter))
            .Build())
        {
            var clock = new FakeTimeProvider();
            var builder = new CannedHandler(TestHandlers.Answer(), clock, TimeSpan.FromSeconds(0.3)).AsBuilder();
            builder.TimeProvider = clock;
            var pipeline = builder.UseMetrics(meter, o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>())).Build();

            await pipeline.ChatAsync(TestHandlers.Chat());
            provider.ForceFlush();
        }

        exporter.Bounds[MelleaMetrics.OperationDuration].Should().Equal([.. MelleaMetrics.DurationBuckets, double.PositiveInfinity]);
        exporter.Bounds[MelleaMetrics.TokenUsage].Should().Equal([.. MelleaMetrics.TokenBuckets.Select(b => (double)b), double.PositiveInfinity]);
        exporter.Units[MelleaMetrics.OperationDuration].Should().Be("s");
        exporter.Units[MelleaMetrics.TokenUsage].Should().Be("{token}");
    }

    private sealed class BucketExporter : BaseExporter<Metric>
    {
        public Dictionary<string, List<double>> Bounds { get; } = [];

        public Dictionary<string, string> Units { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                if (metric.MetricType != MetricType.Histogram)
                {
                    continue;
                }

                Units[metric.Name] = metric.Unit;
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var bounds = new List<double>();
                    foreach (var bucket in point.GetHistogramBuckets())
                    {
                        bounds.Add(bucket.ExplicitBound);
                    }

                    Bounds[metric.Name] = bounds;
                }
            }

            return ExportResult.Success;
        }
    }
}
