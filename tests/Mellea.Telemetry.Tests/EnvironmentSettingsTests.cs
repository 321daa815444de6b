using OpenTelemetry.Exporter;
using static Mellea.Telemetry.Tests.TestEnvironment;

namespace Mellea.Telemetry.Tests;

/// <summary>What each environment variable does to <see cref="MelleaTelemetrySettings"/>, and which warnings it gives.</summary>
public sealed class EnvironmentSettingsTests
{
    [Fact]
    public void Nothing_set_means_everything_off_and_no_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of());

        settings.TracesEnabled.Should().BeFalse();
        settings.MetricsEnabled.Should().BeFalse();
        settings.ExportsTraces.Should().BeFalse();
        settings.ExportsMetrics.Should().BeFalse();
        settings.Warnings.Should().BeEmpty();
        settings.ServiceName.Should().Be("mellea");
        settings.MetricExportInterval.Should().Be(TimeSpan.FromMilliseconds(60_000));
    }

    [Theory]
    [InlineData("true")]
    [InlineData("TRUE")]
    [InlineData(" True ")]
    [InlineData("1")]
    [InlineData("yes")]
    [InlineData("YES")]
    public void Truthy_values_enable_traces_and_metrics(string value)
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", value), ("MELLEA_TRACES_CONSOLE", value),
            ("MELLEA_METRICS_ENABLED", value), ("MELLEA_METRICS_CONSOLE", value)));

        settings.ExportsTraces.Should().BeTrue();
        settings.TracesConsole.Should().BeTrue();
        settings.ExportsMetrics.Should().BeTrue();
        settings.MetricsConsole.Should().BeTrue();
        settings.Warnings.Should().BeEmpty();
    }

    [Theory]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("no")]
    [InlineData("on")]
    [InlineData("enabled")]
    [InlineData("")]
    public void Other_values_leave_traces_and_metrics_off(string value)
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_TRACES_ENABLED", value), ("MELLEA_METRICS_ENABLED", value)));

        settings.TracesEnabled.Should().BeFalse();
        settings.MetricsEnabled.Should().BeFalse();
        settings.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Traces_specific_endpoint_wins_over_the_generic_one_and_is_used_as_given()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces.example:4318/custom/path"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic.example:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));

        settings.TracesOtlpEndpoint.Should().Be(new Uri("http://traces.example:4318/custom/path"));
        settings.TracesOtlpProtocol.Should().Be(OtlpExportProtocol.HttpProtobuf);
        settings.Warnings.Should().BeEmpty();
    }

    [Theory]
    [InlineData("http://collector:4318", "http://collector:4318/v1/traces")]
    [InlineData("http://collector:4318/", "http://collector:4318/v1/traces")]
    [InlineData("https://collector:4318/otlp", "https://collector:4318/otlp/v1/traces")]
    public void Generic_endpoint_with_http_protobuf_gets_the_traces_path(string generic, string expected)
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", generic), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));

        settings.TracesOtlpEndpoint.Should().Be(new Uri(expected));
    }

    [Fact]
    public void Generic_endpoint_with_grpc_is_used_as_given_and_grpc_is_the_default_protocol()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

        settings.TracesOtlpProtocol.Should().Be(OtlpExportProtocol.Grpc);
        settings.TracesOtlpEndpoint.Should().Be(new Uri("http://collector:4317"));
        settings.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Traces_specific_protocol_wins_over_the_generic_one()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")));

        settings.TracesOtlpProtocol.Should().Be(OtlpExportProtocol.HttpProtobuf);
        settings.TracesOtlpEndpoint.Should().Be(new Uri("http://collector:4318/v1/traces"));
    }

    [Fact]
    public void Unsupported_protocol_warns_once_and_uses_grpc()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")));

        settings.TracesOtlpProtocol.Should().Be(OtlpExportProtocol.Grpc);
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("OTEL_EXPORTER_OTLP_PROTOCOL").And.Contain("http/json");
    }

    [Fact]
    public void Service_name_comes_from_OTEL_SERVICE_NAME()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_CONSOLE", "true"), ("OTEL_SERVICE_NAME", "checkout-bot")));

        settings.ServiceName.Should().Be("checkout-bot");
    }

    [Fact]
    public void Otlp_without_any_endpoint_gives_exactly_one_warning_naming_both_variables()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true")));

        settings.ExportsTraces.Should().BeFalse("nothing would receive the spans");
        settings.Warnings.Should().ContainSingle().Which.Should()
            .Contain("MELLEA_TRACES_OTLP").And.Contain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT").And.Contain("OTEL_EXPORTER_OTLP_ENDPOINT");
    }

    [Fact]
    public void Enabled_without_any_exporter_gives_exactly_one_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_TRACES_ENABLED", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

        settings.ExportsTraces.Should().BeFalse();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("no exporter").And.Contain("MELLEA_TRACES_OTLP").And.Contain("MELLEA_TRACES_CONSOLE");
    }

    [Fact]
    public void Exporter_without_the_umbrella_switch_gives_exactly_one_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

        settings.TracesEnabled.Should().BeFalse();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("MELLEA_TRACES_ENABLED");
    }

    [Fact]
    public void Exporters_with_the_umbrella_switch_explicitly_off_stay_quiet()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "false"), ("MELLEA_TRACES_OTLP", "true"),
            ("MELLEA_METRICS_ENABLED", "0"), ("MELLEA_METRICS_CONSOLE", "true"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

        settings.TracesEnabled.Should().BeFalse();
        settings.MetricsEnabled.Should().BeFalse();
        settings.Warnings.Should().BeEmpty("switching a signal off on purpose is not a misconfiguration");
    }

    [Fact]
    public void Metrics_exporter_without_the_umbrella_switch_gives_exactly_one_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_METRICS_CONSOLE", "true")));

        settings.MetricsEnabled.Should().BeFalse();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("MELLEA_METRICS_ENABLED");
    }

    [Fact]
    public void Invalid_endpoint_gives_one_warning_that_does_not_repeat_the_value()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "collector-token-s3cret")));

        settings.ExportsTraces.Should().BeFalse();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("OTEL_EXPORTER_OTLP_ENDPOINT").And.NotContain("s3cret");
    }

    [Fact]
    public void Correct_otlp_setup_gives_no_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"),
            ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317")));

        settings.ExportsTraces.Should().BeTrue();
        settings.ExportsMetrics.Should().BeTrue();
        settings.Warnings.Should().BeEmpty();
    }

    [Fact]
    public void Metrics_specific_endpoint_wins_and_the_generic_one_gets_the_metrics_path()
    {
        var specific = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true"),
            ("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://metrics.example:9000/in"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic.example:4318"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));
        var generic = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic.example:4318"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")));

        specific.MetricsOtlpEndpoint.Should().Be(new Uri("http://metrics.example:9000/in"));
        generic.MetricsOtlpEndpoint.Should().Be(new Uri("http://generic.example:4318/v1/metrics"));
        generic.TracesEnabled.Should().BeFalse("the metrics switches do not turn tracing on");
    }

    [Fact]
    public void Metrics_otlp_without_endpoint_gives_exactly_one_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_OTLP", "true")));

        settings.ExportsMetrics.Should().BeFalse();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
    }

    [Fact]
    public void Metrics_enabled_without_exporter_gives_exactly_one_warning()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_METRICS_ENABLED", "yes")));

        settings.Warnings.Should().ContainSingle().Which.Should().Contain("MELLEA_METRICS_OTLP").And.Contain("MELLEA_METRICS_CONSOLE");
    }

    [Fact]
    public void Export_interval_comes_from_OTEL_METRIC_EXPORT_INTERVAL()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_CONSOLE", "true"), ("OTEL_METRIC_EXPORT_INTERVAL", "5000")));

        settings.MetricExportInterval.Should().Be(TimeSpan.FromSeconds(5));
        settings.Warnings.Should().BeEmpty();
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("1.5")]
    public void Bad_export_interval_warns_once_and_falls_back_to_60_seconds(string value)
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_METRICS_ENABLED", "true"), ("MELLEA_METRICS_CONSOLE", "true"), ("OTEL_METRIC_EXPORT_INTERVAL", value)));

        settings.MetricExportInterval.Should().Be(TimeSpan.FromMilliseconds(60_000));
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("OTEL_METRIC_EXPORT_INTERVAL").And.Contain("60000");
    }

    [Fact]
    public void Export_timeout_comes_from_OTEL_EXPORTER_OTLP_TIMEOUT()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_OTLP", "true"), ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"),
            ("OTEL_EXPORTER_OTLP_TIMEOUT", "1500")));

        settings.ExportTimeout.Should().Be(TimeSpan.FromMilliseconds(1500));
    }

    [Theory]
    [InlineData("MELLEA_TRACE_APPLICATION", "MELLEA_TRACES_ENABLED")]
    [InlineData("MELLEA_TRACE_BACKEND", "MELLEA_TRACES_ENABLED")]
    [InlineData("MELLEA_TRACE_CONSOLE", "MELLEA_TRACES_CONSOLE")]
    [InlineData("MELLEA_TRACE_CONTENT", "MELLEA_TRACES_CONTENT")]
    public void Each_deprecated_name_gives_one_warning_naming_its_replacement(string deprecated, string replacement)
    {
        // Tracing is fully configured with the new names, so the deprecation is the only warning.
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACES_CONSOLE", "true"), (deprecated, "true")));

        settings.Warnings.Should().ContainSingle().Which.Should().Contain(deprecated).And.Contain(replacement).And.Contain("deprecated");
    }

    [Theory]
    [InlineData("MELLEA_TRACE_APPLICATION")]
    [InlineData("MELLEA_TRACE_BACKEND")]
    public void Deprecated_switches_still_enable_tracing(string deprecated)
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of((deprecated, "1"), ("MELLEA_TRACES_CONSOLE", "true")));

        settings.ExportsTraces.Should().BeTrue();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain(deprecated);
    }

    [Fact]
    public void Deprecated_console_switch_still_adds_the_console_exporter()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(("MELLEA_TRACES_ENABLED", "true"), ("MELLEA_TRACE_CONSOLE", "yes")));

        settings.TracesConsole.Should().BeTrue();
        settings.Warnings.Should().ContainSingle().Which.Should().Contain("MELLEA_TRACE_CONSOLE");
    }

    [Fact]
    public void The_new_name_wins_over_the_deprecated_one()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACES_ENABLED", "false"), ("MELLEA_TRACE_BACKEND", "true"), ("MELLEA_TRACES_CONSOLE", "false"), ("MELLEA_TRACE_CONSOLE", "true")));

        settings.TracesEnabled.Should().BeFalse();
        settings.TracesConsole.Should().BeFalse();
    }

    [Fact]
    public void All_deprecated_names_together_give_one_warning_each()
    {
        var settings = MelleaTelemetrySettings.FromEnvironment(Of(
            ("MELLEA_TRACE_APPLICATION", "true"), ("MELLEA_TRACE_BACKEND", "true"), ("MELLEA_TRACE_CONSOLE", "true"), ("MELLEA_TRACE_CONTENT", "true")));

        settings.ExportsTraces.Should().BeTrue("the old switches still enable tracing with the console exporter");
        settings.Warnings.Should().HaveCount(4);
        foreach (var name in new[] { "MELLEA_TRACE_APPLICATION", "MELLEA_TRACE_BACKEND", "MELLEA_TRACE_CONSOLE", "MELLEA_TRACE_CONTENT" })
        {
            settings.Warnings.Should().ContainSingle(warning => warning.StartsWith(name + " ", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void ToString_shows_the_endpoint_host_but_never_its_path_or_credentials()
    {
        var settings = new MelleaTelemetrySettings
        {
            TracesEnabled = true,
            TracesOtlpEndpoint = new Uri("https://user:s3cret@collector.example:4318/v1/traces?token=s3cret"),
        };

        settings.ToString().Should().Contain("collector.example:4318").And.NotContain("s3cret");
    }
}
