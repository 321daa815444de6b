using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Mellea.Reliability.Tests.Support;

namespace Mellea.Reliability.Tests;

/// <summary>
/// A collector that refuses connections, or one that accepts and never answers, cannot hold up or fail real generations (a real
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
    public async Task Generations_succeed_without_waiting_for_an_export_and_shutdown_stays_within_its_timeout(Collector collector)
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
        // Without telemetry first: the calls succeed, and the first call's JIT work is not counted as a wait below.
        await RunCallsAsync(pipeline, token);

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
        TimeSpan slowestCall;
        try
        {
            slowestCall = await RunCallsAsync(pipeline, token);
            telemetry.ForceFlush(TimeSpan.Zero);
            var afterFlush = await RunCallsAsync(pipeline, token);
            slowestCall = afterFlush > slowestCall ? afterFlush : slowestCall;
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
        // Not a speed test: the collector never answers, so a call that waited for an export would last the whole export
        // timeout. How long calls take on a busy machine is the benchmarks' business.
        slowestCall.Should().BeLessThan(telemetry.Settings.ExportTimeout, "no call waits for an export");
    }

    /// <summary>Runs the calls, each of which must succeed, and returns the longest one took.</summary>
    private static async Task<TimeSpan> RunCallsAsync(IGenerationHandler pipeline, CancellationToken token)
    {
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Calls; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await Bounded.WithinAsync(Support.Calls.RunAsync(pipeline, (Operation)(i % 3), token), Bounded.Case, "a generation");
            var took = Stopwatch.GetElapsedTime(started);
            slowest = took > slowest ? took : slowest;
            outcome.Error.Should().BeNull();
            outcome.Text.Should().Contain("alpha");
        }

        return slowest;
    }
}
