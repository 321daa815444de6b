using System.Diagnostics;
using Mellea.Testing;
using static Mellea.Telemetry.Tests.TestEnvironment;

namespace Mellea.Telemetry.Tests;

/// <summary>
/// <see cref="MelleaOpenTelemetry.StartFromEnvironment"/> in this process, against a loopback OTLP receiver. Mellea's
/// sources are process-wide, so every test names its spans and instruments uniquely and looks only for its own.
/// </summary>
public sealed class StartFromEnvironmentTests
{
    private static readonly TimeSpan ShutdownSlack = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Enabled_otlp_exports_spans_and_metrics_with_the_service_name_and_flushes_them_on_dispose()
    {
        await using var receiver = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        var logs = new CollectingLoggerFactory();
        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(
            Of(
                ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
                ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.Endpoint.ToString()), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                ("OTEL_SERVICE_NAME", "bootstrap-test")),
            logs);
        var generationSpan = $"chat {Guid.NewGuid():N}";
        var applicationSpan = $"session {Guid.NewGuid():N}";
        var counterName = $"mellea.test.calls.{Guid.NewGuid():N}";

        using (MelleaTelemetry.GenerationSource.StartActivity(generationSpan, ActivityKind.Client))
        using (MelleaTelemetry.ApplicationSource.StartActivity(applicationSpan))
        {
        }

        MelleaTelemetry.Meter.CreateCounter<long>(counterName).Add(3);

        // No wait on the 5 s batch delay or the 60 s metric interval: disposing must deliver everything.
        telemetry.Dispose();

        receiver.Spans.Should().ContainSingle(span => span.Name == generationSpan)
            .Which.Should().Match<ReceivedSpan>(span => span.ScopeName == "mellea.backend" && span.Kind == "Client" && span.ServiceName == "bootstrap-test");
        receiver.Spans.Should().ContainSingle(span => span.Name == applicationSpan).Which.ScopeName.Should().Be("mellea.application");
        var counter = receiver.Metrics.Where(metric => metric.Name == counterName).Should().NotBeEmpty().And.Subject.Last();
        counter.ScopeName.Should().Be("mellea.metrics");
        counter.Points.Should().ContainSingle().Which.Value.Should().Be(3);
        counter.ResourceAttributes["service.name"].Should().Be("bootstrap-test");
        logs.Entries.Should().BeEmpty("a correct setup logs nothing");
    }

    [Fact]
    public async Task A_traces_specific_http_endpoint_is_used_exactly_as_given()
    {
        await using var receiver = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        var spanName = $"chat {Guid.NewGuid():N}";
        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(
            Of(
                ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
                ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.TracesEndpoint.ToString()), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", RefusingEndpoint().ToString())),
            new CollectingLoggerFactory());

        using (MelleaTelemetry.GenerationSource.StartActivity(spanName))
        {
        }

        await telemetry.DisposeAsync();

        receiver.Spans.Should().Contain(span => span.Name == spanName, "no /v1/traces is appended to a signal-specific endpoint, and it wins over the generic one");
    }

    [Fact]
    public void An_environment_that_throws_gives_a_warning_and_no_provider_instead_of_an_exception()
    {
        var logs = new CollectingLoggerFactory();

        using var telemetry = MelleaOpenTelemetry.StartFromEnvironment(new TelemetryEnvironment(_ => throw new InvalidOperationException("broken")), logs);

        telemetry.TracerProvider.Should().BeNull();
        telemetry.MeterProvider.Should().BeNull();
        logs.Warnings.Should().ContainSingle().Which.Should().Contain("could not be read");
    }

    [Fact]
    public void Nothing_enabled_builds_no_provider_and_logs_nothing()
    {
        var logs = new CollectingLoggerFactory();

        using var telemetry = MelleaOpenTelemetry.StartFromEnvironment(Of(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")), logs);

        telemetry.TracerProvider.Should().BeNull();
        telemetry.MeterProvider.Should().BeNull();
        logs.Entries.Should().BeEmpty();
    }

    [Fact]
    public void Misconfiguration_is_logged_once_as_a_warning_and_builds_no_dead_provider()
    {
        var logs = new CollectingLoggerFactory();

        using var telemetry = MelleaOpenTelemetry.StartFromEnvironment(Of(("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true")), logs);

        telemetry.TracerProvider.Should().BeNull();
        logs.Entries.Should().ContainSingle().Which.Should().Match<(string Category, Microsoft.Extensions.Logging.LogLevel Level, string Message)>(
            entry => entry.Level == Microsoft.Extensions.Logging.LogLevel.Warning && entry.Category == "Mellea.Telemetry" && entry.Message.Contains("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void Deprecated_names_are_logged_once_each_through_the_logger()
    {
        var logs = new CollectingLoggerFactory();

        using var telemetry = MelleaOpenTelemetry.StartFromEnvironment(
            Of(("MELLEA_TRACE_BACKEND", "true"), ("MELLEA_TRACE_CONSOLE", "true")),
            logs);

        telemetry.TracerProvider.Should().NotBeNull("the deprecated names still work for one release");
        logs.Warnings.Should().HaveCount(2)
            .And.ContainSingle(message => message.Contains("MELLEA_TRACE_BACKEND") && message.Contains("MELLEA_TRACES_ENABLED"))
            .And.ContainSingle(message => message.Contains("MELLEA_TRACE_CONSOLE") && message.Contains("MELLEA_TRACES_CONSOLE"));
    }

    [Fact]
    public async Task An_exporter_whose_endpoint_refuses_connections_never_fails_or_slows_a_call_and_dispose_stays_bounded()
    {
        var logs = new CollectingLoggerFactory();
        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(
            Of(
                ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
                ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true"),
                ("OTEL_EXPORTER_OTLP_ENDPOINT", RefusingEndpoint().ToString()), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")),
            logs);
        var pipeline = CannedHandler.InstrumentedPipeline();

        var calls = Stopwatch.StartNew();
        for (var i = 0; i < 50; i++)
        {
            var response = await pipeline.ChatAsync(new ChatRequest("ping"), TestContext.Current.CancellationToken);
            response.Text.Should().Be("pong");
            if (i == 0)
            {
                // Push the first batch out now, so the later calls overlap a failing export.
                telemetry.ForceFlush(TimeSpan.Zero);
            }
        }

        calls.Stop();
        var dispose = Stopwatch.StartNew();
        await telemetry.DisposeAsync();
        dispose.Stop();

        calls.Elapsed.Should().BeLessThan(telemetry.Settings.ExportTimeout, "no call waits for an export");
        logs.Entries.Should().BeEmpty("a collector being down is the SDK's business, not a warning per call");
        dispose.Elapsed.Should().BeLessThan(telemetry.Settings.ShutdownTimeout + ShutdownSlack);
    }

    [Fact]
    public async Task A_collector_that_accepts_and_never_answers_cannot_hold_dispose_beyond_its_timeout()
    {
        await using var receiver = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        receiver.HoldRequests = true;
        var telemetry = MelleaOpenTelemetry.Start(new MelleaTelemetrySettings
        {
            TracesEnabled = true,
            TracesOtlpEndpoint = receiver.TracesEndpoint,
            TracesOtlpProtocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf,
            ExportTimeout = TimeSpan.FromSeconds(60),
            ShutdownTimeout = TimeSpan.FromSeconds(1),
        });
        var pipeline = CannedHandler.InstrumentedPipeline();
        (await pipeline.ChatAsync(new ChatRequest("ping"), TestContext.Current.CancellationToken)).Text.Should().Be("pong");

        var dispose = Stopwatch.StartNew();
        telemetry.Dispose();
        dispose.Stop();

        dispose.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1) + ShutdownSlack, "the export may hang for 60 s but the shutdown timeout is 1 s");
    }

    [Fact]
    public void Dispose_twice_is_harmless()
    {
        var telemetry = MelleaOpenTelemetry.Start(new MelleaTelemetrySettings { TracesEnabled = true, TracesOtlpEndpoint = RefusingEndpoint(), ShutdownTimeout = TimeSpan.FromSeconds(1) });

        telemetry.Dispose();
        var again = () => telemetry.Dispose();

        again.Should().NotThrow();
    }
}
