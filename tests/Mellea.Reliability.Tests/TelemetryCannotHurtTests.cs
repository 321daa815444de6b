using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mellea.Reliability.Tests.Support;

namespace Mellea.Reliability.Tests;

/// <summary>
/// A collector that refuses connections, or one that accepts and never answers, cannot slow or fail real generations (a real
/// backend over the emulator), and shutdown stays within its timeout. Tests/Mellea.Telemetry.Tests covers the same with a canned
/// handler and the OtlpReceiver's held requests; here the silent collector is a bare TCP listener through the environment path.
/// </summary>
public sealed class TelemetryCannotHurtTests
{
    private const int Calls = 40;
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(2);

    public enum Collector
    {
        RefusesConnections,
        AcceptsAndNeverAnswers,
    }

    [Theory]
    [InlineData(Collector.RefusesConnections)]
    [InlineData(Collector.AcceptsAndNeverAnswers)]
    public async Task Generations_succeed_in_about_the_same_time_and_shutdown_stays_within_its_timeout(Collector collector)
    {
        var token = TestContext.Current.CancellationToken;
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var held = new List<TcpClient>();
        using var stopAccepting = CancellationTokenSource.CreateLinkedTokenSource(token);
        Task accepting = Task.CompletedTask;
        if (collector == Collector.RefusesConnections)
        {
            silent.Stop();
        }
        else
        {
            // Accept (a bounded number of) connections and never read or answer.
            accepting = Task.Run(async () =>
            {
                for (var i = 0; i < 64 && !stopAccepting.IsCancellationRequested; i++)
                {
                    held.Add(await silent.AcceptTcpClientAsync(stopAccepting.Token));
                }
            }, token);
        }

        await using var rig = await Rig.StartAsync(BackendKind.OpenAI);
        var logs = new CapturingLoggerFactory();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        var pipeline = Pipelines.Full(rig.Backend, clock, logs);
        var baseline = await TimeCallsAsync(pipeline, token);

        var telemetry = MelleaOpenTelemetry.StartFromEnvironment(TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>
        {
            ["MELLEA_TRACES_ENABLED"] = "true",
            ["MELLEA_TRACES_OTLP"] = "true",
            ["MELLEA_METRICS_ENABLED"] = "true",
            ["MELLEA_METRICS_OTLP"] = "true",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "1000",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "10",
        }));
        TimeSpan withTelemetry;
        try
        {
            withTelemetry = await TimeCallsAsync(pipeline, token);
            telemetry.ForceFlush(TimeSpan.Zero);
            withTelemetry += await TimeCallsAsync(pipeline, token);
            withTelemetry /= 2;
        }
        finally
        {
            var dispose = Stopwatch.StartNew();
            await Bounded.WithinAsync(Task.Run(telemetry.Dispose, token), TimeSpan.FromSeconds(30), "telemetry shutdown");
            dispose.Stop();
            dispose.Elapsed.Should().BeLessThan(telemetry.Settings.ShutdownTimeout + Slack, "shutdown is bounded by its timeout even when the collector never answers");
            await stopAccepting.CancelAsync();
            await accepting.ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var client in held)
            {
                client.Dispose();
            }
        }

        telemetry.Settings.ExportTimeout.Should().Be(TimeSpan.FromSeconds(1), "the export timeout is bounded as configured");
        withTelemetry.Should().BeLessThan(baseline * 3 + TimeSpan.FromMilliseconds(500), $"a dead collector does not slow generations (baseline {baseline.TotalMilliseconds:0} ms for {Calls} calls)");
        withTelemetry.Should().BeLessThan(telemetry.Settings.ExportTimeout, "no call waits for an export");
    }

    private static async Task<TimeSpan> TimeCallsAsync(IGenerationHandler pipeline, CancellationToken token)
    {
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < Calls; i++)
        {
            var outcome = await Bounded.WithinAsync(Support.Calls.RunAsync(pipeline, (Operation)(i % 3), token), Bounded.Case, "a generation");
            outcome.Error.Should().BeNull();
            outcome.Text.Should().Contain("alpha");
        }

        return stopwatch.Elapsed;
    }
}
