using System.Diagnostics;
using System.Diagnostics.Metrics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mellea.Telemetry.Tests;

/// <summary>The console exporters write one readable block per span or metric, and never throw.</summary>
public sealed class ConsoleExporterTests
{
    [Fact]
    public void A_span_is_one_line_with_name_kind_status_ids_and_attributes_then_one_line_per_event()
    {
        using var source = new ActivitySource($"console.test.{Guid.NewGuid():N}");
        var output = new StringWriter();
        using (var provider = Sdk.CreateTracerProviderBuilder().AddSource(source.Name)
            .AddProcessor(new SimpleActivityExportProcessor(new MelleaConsoleSpanExporter(output))).Build())
        {
            using var span = source.StartActivity("chat gpt-4o-mini", ActivityKind.Client)!;
            span.SetTag(GenAiAttributes.RequestModel, "gpt-4o-mini");
            span.SetTag(GenAiAttributes.UsageInputTokens, 12);
            span.SetTag(GenAiAttributes.ResponseFinishReasons, new[] { "stop" });
            span.AddEvent(new ActivityEvent("gen_ai.first_chunk", tags: new ActivityTagsCollection { ["chunk.index"] = 0 }));
            span.SetStatus(ActivityStatusCode.Error, "rate limited");
        }

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().HaveCount(2);
        lines[0].Should().StartWith("span \"chat gpt-4o-mini\" kind=Client status=Error(\"rate limited\")")
            .And.Contain("gen_ai.request.model=\"gpt-4o-mini\"")
            .And.Contain("gen_ai.usage.input_tokens=12")
            .And.Contain("gen_ai.response.finish_reasons=[\"stop\"]")
            .And.MatchRegex(" trace=[0-9a-f]{32} span=[0-9a-f]{16}");
        lines[1].Should().StartWith("  event \"gen_ai.first_chunk\" at +").And.Contain("chunk.index=0");
    }

    [Fact]
    public void A_writer_that_throws_makes_the_span_export_fail_quietly()
    {
        using var activity = new Activity("chat broken").Start();
        activity.Stop();
        var exporter = new MelleaConsoleSpanExporter(new ThrowingWriter());

        var result = exporter.Export(new Batch<Activity>([activity], 1));

        result.Should().Be(ExportResult.Failure);
    }

    [Fact]
    public void A_metric_is_a_header_line_then_one_line_per_point_with_its_value()
    {
        using var meter = new Meter($"console.test.{Guid.NewGuid():N}");
        var output = new StringWriter();
        using (var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name)
            .AddReader(new BaseExportingMetricReader(new MelleaConsoleMetricExporter(output))).Build())
        {
            meter.CreateCounter<long>("mellea.llm.retries", "{retry}").Add(5, new KeyValuePair<string, object?>("error.type", "rate_limit"));
            var histogram = meter.CreateHistogram("gen_ai.client.operation.duration", "s", null, null, new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04] });
            histogram.Record(0.015);
            histogram.Record(0.03);
            provider.ForceFlush();
        }

        var text = output.ToString();
        text.Should().Contain($"metric mellea.llm.retries [{{retry}}] LongSum meter={meter.Name}\n  {{error.type=\"rate_limit\"}} sum=5\n");
        text.Should().Contain($"metric gen_ai.client.operation.duration [s] Histogram meter={meter.Name}\n  count=2 sum=0.045 buckets={{<=0.02:1, <=0.04:1}}\n");
    }

    [Fact]
    public void A_writer_that_throws_makes_the_metric_export_fail_quietly()
    {
        using var meter = new Meter($"console.test.{Guid.NewGuid():N}");
        var exporter = new MelleaConsoleMetricExporter(new ThrowingWriter());
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(meter.Name).AddReader(new BaseExportingMetricReader(exporter)).Build();
        meter.CreateCounter<long>("calls").Add(1);

        var flush = () => provider.ForceFlush();

        flush.Should().NotThrow();
        flush().Should().BeFalse("the export failed");
    }

    private sealed class ThrowingWriter : TextWriter
    {
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        public override void Write(string? value) => throw new IOException("stdout is closed");
    }
}
