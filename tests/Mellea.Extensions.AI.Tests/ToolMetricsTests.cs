using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

public sealed class ToolMetricsTests
{
    [Fact]
    public async Task Tool_runs_record_duration_and_calls_by_name_and_status()
    {
        using var meter = new Meter("tools-test-" + Guid.NewGuid().ToString("N"));
        using var metrics = new MetricCollector(meter);
        var handler = new ScriptedHandler(
            Turn.Call(new ToolCallPart("a1", "ok_tool", "{}"), new ToolCallPart("b1", "bad_tool", "{}"), new ToolCallPart("c1", "no_such_tool", "{}")),
            Turn.Say("done"));
        var pipeline = handler.AsBuilder().UseToolInvocation(o =>
        {
            o.Meter = meter;
            o.Tools.Add(AIFunctionFactory.Create(() => "fine", "ok_tool"));
            o.Tools.Add(AIFunctionFactory.Create(string () => throw new TimeoutException("slow"), "bad_tool"));
        }).Build();

        await pipeline.ChatAsync(new ChatRequest("go"), TestContext.Current.CancellationToken);

        var durations = metrics.Of(ToolInvocationTelemetry.ExecuteToolDuration);
        durations.Should().HaveCount(2, "an unknown tool never ran");
        var ok = durations.Single(m => (string?)m.Tag(GenAiAttributes.ToolName) == "ok_tool");
        ok.Tag(GenAiAttributes.ToolType).Should().Be("function");
        ok.Tags.Should().NotContainKey(GenAiAttributes.ErrorType);
        ok.Value.Should().BeGreaterThanOrEqualTo(0);
        var bad = durations.Single(m => (string?)m.Tag(GenAiAttributes.ToolName) == "bad_tool");
        bad.Tag(GenAiAttributes.ErrorType).Should().Be("timeout");

        var calls = metrics.Of(ToolInvocationTelemetry.ToolCalls);
        calls.Select(m => ((string?)m.Tag(GenAiAttributes.ToolName), (string?)m.Tag(ToolInvocationTelemetry.StatusAttribute), m.Value))
            .Should().BeEquivalentTo(new[] { ("ok_tool", "success", 1.0), ("bad_tool", "failure", 1.0), ("_OTHER", "failure", 1.0) });

        var histogram = (Histogram<double>)metrics.Instruments[ToolInvocationTelemetry.ExecuteToolDuration];
        histogram.Unit.Should().Be("s");
        histogram.Advice!.HistogramBucketBoundaries.Should().Equal(MelleaMetrics.DurationBuckets);
        metrics.Instruments[ToolInvocationTelemetry.ToolCalls].Unit.Should().Be("{call}");
    }

    [Fact]
    public async Task Malformed_arguments_count_as_failures_with_their_own_error_type()
    {
        using var meter = new Meter("tools-test-" + Guid.NewGuid().ToString("N"));
        using var metrics = new MetricCollector(meter);
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("a1", "echo", """{"text":1}""")), Turn.Say("done"));
        var pipeline = handler.AsBuilder().UseToolInvocation(o =>
        {
            o.Meter = meter;
            o.Tools.Add(AIFunctionFactory.Create((string text) => text, "echo"));
        }).Build();

        await pipeline.ChatAsync(new ChatRequest("go"), TestContext.Current.CancellationToken);

        metrics.Of(ToolInvocationTelemetry.ExecuteToolDuration).Single().Tag(GenAiAttributes.ErrorType).Should().Be("invalid_arguments");
        metrics.Of(ToolInvocationTelemetry.ToolCalls).Single().Tag(ToolInvocationTelemetry.StatusAttribute).Should().Be("failure");
    }
}
