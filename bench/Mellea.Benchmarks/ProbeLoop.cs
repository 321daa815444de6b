using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace Mellea.Benchmarks;

/// <summary>
/// <c>--probe-loop &lt;case&gt; &lt;seconds&gt; [memory]</c>: one case alone, in a loop, with the SDK listening, for a profiler to
/// attach to. Over loopback (the default) against the emulator in a child process, or in memory.
/// </summary>
/// <remarks>
/// The loop warms up until the JIT has compiled nothing for 2 s (<see cref="JitWarmUp"/>): tiering promotes the pipeline's
/// methods in the background for several seconds, and a profile taken earlier shows the JIT's own work as the pipeline's. It then prints
/// <c>READY &lt;client pid&gt; &lt;emulator pid&gt;</c> (0 in memory), so that a script can start <c>perf record -a</c> and
/// split the samples by process, and at the end the time per operation and what the JIT still compiled while it ran.
/// </remarks>
internal static class ProbeLoop
{
    // Each case by name, so that the usage line and the choice come from one list.
    private static readonly Dictionary<string, Func<Clients, Func<ValueTask<long>>>> Cases = new(StringComparer.Ordinal)
    {
        ["stream-backend"] = c => c.StreamBackend,
        ["stream-pipeline"] = c => c.StreamPipeline,
        ["stream-hand"] = c => c.StreamHandTelemetry,
        ["stream-handed-over"] = c => c.StreamHandedOver,
        ["stream-floor"] = c => c.StreamFloor,
        ["chat-backend"] = c => c.ChatBackend,
        ["chat-pipeline"] = c => c.ChatPipeline,
        ["chat-hand"] = c => c.ChatHandTelemetry,
        ["chat-floor"] = c => c.ChatFloor,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || !Cases.TryGetValue(args[0], out var chosen)
            || !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
        {
            await Console.Error.WriteLineAsync($"usage: --probe-loop <{string.Join('|', Cases.Keys)}> <seconds> [memory]");
            return 2;
        }

        var name = args[0];
        var inMemory = args.Length > 2 && args[2] == "memory";
        using var listeners = BenchTelemetry.Start(TelemetryState.Listening);
        await using var emulator = inMemory ? null : await EmulatorProcess.StartAsync(1000);
        using var http = new HttpClient(inMemory
            ? new InMemoryHandler(WireFixtures.StreamBody(1000), WireFixtures.ChatBody(1000))
            : new SocketsHttpHandler());
        var clients = new Clients(http, emulator?.OpenAIBaseUrl ?? "http://bench.invalid/v1", TelemetryState.Listening);
        var run = chosen(clients);

        await JitWarmUp.RunAsync(async () => await run(), minimum: TimeSpan.FromSeconds(4), quiet: TimeSpan.FromSeconds(2), maximum: TimeSpan.FromMinutes(1));
        Console.WriteLine($"READY {Environment.ProcessId} {emulator?.ProcessId ?? 0}");
        await Console.Out.FlushAsync();

        var jitted = JitInfo.GetCompiledMethodCount();
        var jitTime = JitInfo.GetCompilationTime();
        var operations = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            await run();
            operations++;
        }

        Console.WriteLine(
            $"{name}: {clock.Elapsed.TotalMicroseconds / operations:F1} µs/op over {operations} ops; the JIT compiled "
            + $"{JitInfo.GetCompiledMethodCount() - jitted} methods in {(JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms meanwhile");
        return 0;
    }
}
