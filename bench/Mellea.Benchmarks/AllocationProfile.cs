using System.Diagnostics;

namespace Mellea.Benchmarks;

/// <summary>
/// <c>--alloc-profile</c>: bisects the bytes of one listened chat call, from a bare SDK span up to the full pipeline, so
/// that every step's cost is a measured difference (one thread, exact bytes).
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync()
    {
        using var listeners = BenchTelemetry.Start(TelemetryState.Listening);
        var source = MelleaTelemetry.GenerationSource;
        KeyValuePair<string, object?>[] startTags =
        [
            new("gen_ai.operation.name", "chat"),
            new("gen_ai.provider.name", "openai"),
            new("gen_ai.request.model", "gpt-4o-mini"),
            new("server.address", "127.0.0.1"),
            new("server.port", (object)8080),
        ];
        var start = DateTimeOffset.UtcNow;
        Measure("SDK span, no tags, Start/Stop", () => source.StartActivity("chat gpt-4o-mini", ActivityKind.Client)!.Stop());
        Measure("SDK span, 5 start tags (array as IEnumerable)", () => source.StartActivity("chat gpt-4o-mini", ActivityKind.Client, default(ActivityContext), startTags, null, start)!.Stop());
        Measure("SDK span, 5 tags set after start", () =>
        {
            var a = source.StartActivity("chat gpt-4o-mini", ActivityKind.Client, default(ActivityContext), null, null, start)!;
            foreach (var tag in startTags)
            {
                a.SetTag(tag.Key, tag.Value);
            }

            a.Stop();
        });
        Measure("one more string tag", () =>
        {
            var a = source.StartActivity("chat gpt-4o-mini", ActivityKind.Client)!;
            a.SetTag("gen_ai.response.id", "x");
            a.Stop();
        }, baseline: "SDK span, no tags, Start/Stop");
        var handler = new CannedHandler(10);
        Measure("bare canned handler", () => Chat(handler));
        Measure("tracing only", () => Chat(tracing), baseline: "bare canned handler");
        Measure("metrics only", () => Chat(metrics), baseline: "bare canned handler");
        Measure("retry only", () => Chat(retry), baseline: "bare canned handler");
        Measure("full pipeline", () => Chat(full), baseline: "bare canned handler");

        // Where a listened stream's time per update goes: each middleware alone around a 1,010-update canned stream.
        var stream = new CannedHandler(1010);
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        var cases = new List<BenchCase>
        {
            new("bare", () => OverheadProbe.ConsumeAsync(stream)),
            new("empty pipeline", () => OverheadProbe.ConsumeAsync(stream.AsBuilder().Build())),
            new("tracing", () => OverheadProbe.ConsumeAsync(stream.AsBuilder().UseTracing(o => { o.CaptureContent = false; o.Environment = environment; }).Build())),
            new("metrics", () => OverheadProbe.ConsumeAsync(stream.AsBuilder().UseMetrics(o => o.Environment = environment).Build())),
            new("full", () => OverheadProbe.ConsumeAsync(BenchTelemetry.FullPipeline(stream, TelemetryState.Listening))),
        };
        var result = await Interleaved.RunAsync(cases, rounds: 11, opsPerRound: 20, warmupOps: 20);
        foreach (var name in result.Names)
        {
            Console.WriteLine($"{result.MedianMicroseconds(name) * 1000 / 1010,8:F1} ns per update  {name}");
        }

        // A whole chat over loopback, with and without trace-context propagation: how much of the listened pipeline's
        // cost is the traceparent header the current span puts on the request (and the in-process server reading it).
        await using var emulator = await Mellea.Testing.ProviderEmulator.StartAsync();
        emulator.DefaultScript = WireFixtures.Script(1000);
        using var http = new HttpClient(new SocketsHttpHandler());
        var clients = new Clients(http, emulator.OpenAIBaseUrl, TelemetryState.Listening);
        List<BenchCase> chat = [new("Backend", clients.ChatBackend), new("Pipeline+listeners", clients.ChatPipeline)];
        var propagating = await Interleaved.RunAsync(chat, rounds: 11, opsPerRound: 20, warmupOps: 20);
        var previous = DistributedContextPropagator.Current;
        DistributedContextPropagator.Current = DistributedContextPropagator.CreateNoOutputPropagator();
        var silent = await Interleaved.RunAsync(chat, rounds: 11, opsPerRound: 20, warmupOps: 20);
        DistributedContextPropagator.Current = previous;
        Console.WriteLine($"loopback chat, pipeline/backend: {propagating.TimeRatio("Pipeline+listeners", "Backend"):F2}x with traceparent, {silent.TimeRatio("Pipeline+listeners", "Backend"):F2}x without");
        return 0;

        static void Chat(IGenerationHandler h)
        {
            var pending = OverheadProbe.ChatAsync(h);
            if (!pending.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException("The canned handler answers synchronously.");
            }

            _ = pending.Result;
        }
    }

    private static readonly Dictionary<string, double> Results = [];
    private static GenerationPipeline tracing = null!;
    private static GenerationPipeline metrics = null!;
    private static GenerationPipeline retry = null!;
    private static GenerationPipeline full = null!;

    static AllocationProfile()
    {
        var handler = new CannedHandler(10);
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        tracing = handler.AsBuilder().UseTracing(o => { o.CaptureContent = false; o.Environment = environment; }).Build();
        metrics = handler.AsBuilder().UseMetrics(o => o.Environment = environment).Build();
        retry = handler.AsBuilder().UseRetry().Build();
        full = BenchTelemetry.FullPipeline(handler, TelemetryState.Listening);
    }

    private static void Measure(string name, Action action, string? baseline = null)
    {
        for (var i = 0; i < 200; i++)
        {
            action();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            action();
        }

        var bytes = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
        Results[name] = bytes;
        var extra = baseline is null ? string.Empty : $" ({bytes - Results[baseline]:+0;-0} vs {baseline})";
        Console.WriteLine($"{bytes,8:F1} B  {name}{extra}");
    }
}
