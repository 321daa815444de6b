using Mellea.Testing;

namespace Mellea.Telemetry.Tests;

/// <summary>
/// Issue 3, must-never-happen #5: environment variables alone produce exported spans. The probe is a separate process
/// configured only by its environment; nothing in it names an exporter or an endpoint.
/// </summary>
public sealed class ChildProcessTests
{
    private static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Environment_variables_alone_export_spans_and_metrics_over_otlp_http_and_to_the_console()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(cancellationToken);

        var result = await ProbeProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["MELLEA_TRACES_ENABLED"] = "true",
                ["MELLEA_TRACES_OTLP"] = "true",
                ["MELLEA_TRACES_CONSOLE"] = "true",
                ["MELLEA_METRICS_ENABLED"] = "true",
                ["MELLEA_METRICS_OTLP"] = "true",
                ["MELLEA_METRICS_CONSOLE"] = "true",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_SERVICE_NAME"] = "telemetry-probe",
            },
            cancellationToken);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardError.Should().BeEmpty("a correct setup warns about nothing");
        var spans = await receiver.WaitForSpansAsync(1, ReceiveTimeout, cancellationToken);
        var chat = spans.Should().ContainSingle(span => span.ScopeName == "mellea.backend").Subject;
        chat.Name.Should().Be("chat probe-model");
        chat.Kind.Should().Be("Client");
        chat.ServiceName.Should().Be("telemetry-probe");
        chat.StatusCode.Should().NotBe("Error");
        chat.Attributes[GenAiAttributes.OperationName].Should().Be("chat");
        chat.Attributes[GenAiAttributes.RequestModel].Should().Be("probe-model");
        chat.Attributes[GenAiAttributes.ResponseModel].Should().Be("probe-model");
        chat.Attributes[GenAiAttributes.ProviderName].Should().Be("probe");
        chat.Attributes[GenAiAttributes.ServerAddress].Should().Be("probe.invalid");
        chat.Attributes[GenAiAttributes.ServerPort].Should().Be(8080L);
        chat.Attributes[GenAiAttributes.UsageInputTokens].Should().Be(3L, "integers travel as OTLP int values");
        chat.Attributes[GenAiAttributes.UsageOutputTokens].Should().Be(1L);
        chat.Attributes.Should().NotContainKey(GenAiAttributes.InputMessages, "content is never captured by default");
        chat.Attributes.Values.OfType<string>().Should().NotContain(value => value.Contains("ping") || value.Contains("pong"));
        result.StandardOutput.Should().Contain("span \"chat probe-model\" kind=Client", "MELLEA_TRACES_CONSOLE writes each span to stdout");
        result.StandardOutput.Split('\n').Count(line => line.StartsWith($"metric {MelleaMetrics.OperationDuration} [s] Histogram", StringComparison.Ordinal))
            .Should().Be(1, "MELLEA_METRICS_CONSOLE writes the final collection once at exit");
        var duration = await receiver.WaitForMetricAsync(MelleaMetrics.OperationDuration, ReceiveTimeout, cancellationToken);
        duration.ScopeName.Should().Be("mellea.metrics");
        duration.Unit.Should().Be("s");
        var durationPoint = duration.Points.Should().ContainSingle().Subject;
        durationPoint.Count.Should().Be(1UL, "the meter provider is flushed at exit, long before the 60 s interval");
        durationPoint.ExplicitBounds.Should().Equal(MelleaMetrics.DurationBuckets, "the advised buckets reach the collector without any view");
        durationPoint.Attributes[GenAiAttributes.RequestModel].Should().Be("probe-model");
        var tokens = receiver.Metrics.Last(metric => metric.Name == MelleaMetrics.TokenUsage);
        tokens.Points.Should().HaveCount(2, "one point per token type");
        tokens.Points.Select(point => point.Sum).Should().BeEquivalentTo(new double?[] { 3, 1 });
        tokens.Points[0].ExplicitBounds.Should().Equal(MelleaMetrics.TokenBuckets.Select(bound => (double)bound));
    }

    [Fact]
    public async Task Enabled_without_an_exporter_writes_exactly_one_warning_to_stderr()
    {
        var result = await ProbeProcess.RunAsync(
            new Dictionary<string, string> { ["MELLEA_TRACES_ENABLED"] = "true" },
            TestContext.Current.CancellationToken);

        result.ExitCode.Should().Be(0, "telemetry problems never fail the application");
        var warnings = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        warnings.Should().ContainSingle().Which.Should().StartWith("warning: mellea telemetry:").And.Contain("MELLEA_TRACES_OTLP");
        result.StandardOutput.Should().Contain("probe answer: pong");
    }

    [Fact]
    public async Task Grpc_is_the_default_protocol_and_reaches_the_collector()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        await using var receiver = await OtlpReceiver.StartAsync(cancellationToken);

        var result = await ProbeProcess.RunAsync(
            new Dictionary<string, string>
            {
                ["MELLEA_TRACES_ENABLED"] = "1",
                ["MELLEA_TRACES_OTLP"] = "yes",
                ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = receiver.GrpcEndpoint.ToString(),
            },
            cancellationToken);

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardError.Should().BeEmpty();
        var spans = await receiver.WaitForSpansAsync(1, ReceiveTimeout, cancellationToken);
        spans.Should().ContainSingle(span => span.Name == "chat probe-model").Which.ServiceName.Should().Be("mellea", "OTEL_SERVICE_NAME defaults to mellea");
    }
}
