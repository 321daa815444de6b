using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mellea.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea.Telemetry.Tests;

/// <summary><c>AddMelleaInstrumentation()</c> on the application's own builders, observed through the in-memory exporters.</summary>
public sealed class InstrumentationTests
{
    [Fact]
    public void Tracer_provider_receives_generation_and_application_spans_and_nothing_else()
    {
        var exporter = new InMemorySpanExporter();
        using var provider = Sdk.CreateTracerProviderBuilder().AddMelleaInstrumentation().AddInMemoryExporter(exporter).Build();
        using var unrelated = new ActivitySource($"unrelated.{Guid.NewGuid():N}");
        var generation = $"chat {Guid.NewGuid():N}";
        var application = $"session {Guid.NewGuid():N}";
        var other = $"other {Guid.NewGuid():N}";

        using (MelleaTelemetry.GenerationSource.StartActivity(generation, ActivityKind.Client))
        using (MelleaTelemetry.ApplicationSource.StartActivity(application))
        using (unrelated.StartActivity(other))
        {
        }

        var names = exporter.Spans.Select(span => span.DisplayName).ToList();
        names.Should().Contain(generation).And.Contain(application).And.NotContain(other);
        exporter.Spans.Single(span => span.DisplayName == generation).Source.Version.Should().Be(MelleaTelemetry.Version);
    }

    [Fact]
    public void Meter_provider_receives_mellea_metrics_and_honours_advised_bucket_boundaries_without_views()
    {
        var exporter = new InMemoryMetricExporter();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMelleaInstrumentation().AddInMemoryExporter(exporter).Build();
        var name = $"mellea.test.duration.{Guid.NewGuid():N}";
        double[] advised = [0.01, 0.02, 0.04, 0.08];
        var histogram = MelleaTelemetry.Meter.CreateHistogram(name, unit: "s", description: null, tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = advised });

        histogram.Record(0.015, new KeyValuePair<string, object?>(GenAiAttributes.OperationName, "chat"));
        provider.ForceFlush();

        var point = exporter.Latest(name).Should().NotBeNull().And.Subject.As<MetricSnapshot>().Points.Should().ContainSingle().Subject;
        point.ExplicitBounds.Should().Equal(advised);
        point.BucketCounts.Should().Equal(0, 1, 0, 0, 0);
        point.Tags[GenAiAttributes.OperationName].Should().Be("chat");
        exporter.Latest(name)!.Unit.Should().Be("s");
    }

    [Fact]
    public void Meter_provider_ignores_other_meters()
    {
        var exporter = new InMemoryMetricExporter();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMelleaInstrumentation().AddInMemoryExporter(exporter).Build();
        using var other = new Meter($"unrelated.{Guid.NewGuid():N}");
        var name = $"other.counter.{Guid.NewGuid():N}";

        other.CreateCounter<long>(name).Add(1);
        provider.ForceFlush();

        exporter.Latest(name).Should().BeNull();
    }

    [Fact]
    public void In_memory_span_exporter_forgets_what_it_held_when_cleared()
    {
        var spans = new InMemorySpanExporter();
        using var provider = Sdk.CreateTracerProviderBuilder().AddMelleaInstrumentation().AddInMemoryExporter(spans).Build();
        var name = $"chat {Guid.NewGuid():N}";
        using (MelleaTelemetry.GenerationSource.StartActivity(name))
        {
        }

        spans.Spans.Should().Contain(span => span.DisplayName == name);
        spans.Clear();

        spans.Spans.Should().NotContain(span => span.DisplayName == name);
    }

    [Fact]
    public async Task The_metrics_middleware_instruments_reach_the_provider_with_their_semconv_buckets_and_no_views()
    {
        var exporter = new InMemoryMetricExporter();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMelleaInstrumentation().AddInMemoryExporter(exporter).Build();
        var model = $"model-{Guid.NewGuid():N}";
        var pipeline = new CannedHandler().AsBuilder().UseMetrics().Build();

        await pipeline.ChatAsync(new ChatRequest("ping", new GenerationOptions { ModelId = model }), TestContext.Current.CancellationToken);
        provider.ForceFlush();

        var duration = exporter.Latest(MelleaMetrics.OperationDuration).Should().NotBeNull().And.Subject.As<MetricSnapshot>();
        duration.MeterName.Should().Be(MelleaTelemetry.MeterName);
        var point = duration.Points.Should().ContainSingle(p => Equals(p.Tags[GenAiAttributes.RequestModel], model)).Subject;
        point.ExplicitBounds.Should().Equal(MelleaMetrics.DurationBuckets);
        point.Count.Should().Be(1);
    }
}
