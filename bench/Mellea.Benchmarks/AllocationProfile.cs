using System.Diagnostics;
using OpenTelemetry.Metrics;

namespace Mellea.Benchmarks;

/// <summary>
/// <c>--alloc-profile</c>: bisects the bytes of one listened chat call, from a bare SDK span up to the full pipeline, so
/// that every step's cost is a measured difference (one thread, exact bytes).
/// </summary>
internal static class AllocationProfile
{
    public static async Task<int> RunAsync()
    {
        // Optional parts after --alloc-profile (chat, stream, histogram, loopback, layers, cold); none runs all of them.
        var parts = Environment.GetCommandLineArgs().SkipWhile(a => a != "--alloc-profile").Skip(1).ToHashSet();
        bool Runs(string part) => parts.Count == 0 || parts.Contains(part);
        using var listeners = BenchTelemetry.Start(TelemetryState.Listening);
        if (Runs("histogram"))
        {
            await HistogramFloorAsync();
        }

        if (Runs("loopback"))
        {
            await LoopbackChatLayersAsync(inMemory: false);
        }

        if (Runs("layers"))
        {
            await LoopbackChatLayersAsync(inMemory: true);
        }

        if (Runs("cold"))
        {
            await ColdChatLayersAsync();
        }

        if (!Runs("chat") && !Runs("stream"))
        {
            return 0;
        }

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

    /// <summary>
    /// The physical floor of a per-chunk metric: one bare <c>Histogram&lt;double&gt;.Record</c> with the tags the metrics
    /// middleware gives <c>time_per_output_chunk</c>, under the same SDK, with and without a sampled span current (the
    /// SDK's exemplar filter looks at it).
    /// </summary>
    private static async Task HistogramFloorAsync()
    {
        var (bare, underSpan) = HistogramRecordNanoseconds();
        Console.WriteLine($"{bare,8:F1} ns per Histogram<double>.Record, 5 tags, no span current (median of 7)");
        Console.WriteLine($"{underSpan,8:F1} ns per Histogram<double>.Record, 5 tags, a sampled span current (median of 7)");
        await Task.CompletedTask;
    }

    /// <summary>
    /// Median nanoseconds of one bare <c>Histogram&lt;double&gt;.Record</c> with the five tags of <c>time_per_output_chunk</c>
    /// (same names, same order, same duration buckets) under an OpenTelemetry SDK MeterProvider like the benchmarks' one:
    /// without a span current, and with a sampled span current (what the SDK's exemplar filter would look at).
    /// </summary>
    internal static (double Bare, double UnderSpan) HistogramRecordNanoseconds()
    {
        using var meter = new System.Diagnostics.Metrics.Meter(MelleaTelemetry.MeterName + ".Probe");
        using var provider = OpenTelemetry.Sdk.CreateMeterProviderBuilder()
            .AddMeter(meter.Name)
            .AddReader(new PeriodicExportingMetricReader(new NullMetricExporter(), exportIntervalMilliseconds: 60_000))
            .Build()!;
        var histogram = meter.CreateHistogram(
            "probe.time_per_output_chunk",
            MelleaMetrics.SecondsUnit,
            description: null,
            tags: null,
            new System.Diagnostics.Metrics.InstrumentAdvice<double> { HistogramBucketBoundaries = MelleaMetrics.DurationBuckets });
        var tags = default(TagList);
        tags.Add("gen_ai.operation.name", "chat");
        tags.Add("gen_ai.provider.name", "openai");
        tags.Add("gen_ai.request.model", "gpt-4o-mini");
        tags.Add("server.address", "127.0.0.1");
        tags.Add("server.port", (object)8080);
        const int N = 200_000;
        double Run()
        {
            var started = Stopwatch.GetTimestamp();
            for (var i = 0; i < N; i++)
            {
                histogram.Record(0.000_5, in tags);
            }

            return Stopwatch.GetElapsedTime(started).TotalNanoseconds / N;
        }

        Run();
        var bare = new List<double>();
        var underSpan = new List<double>();
        for (var round = 0; round < 7; round++)
        {
            bare.Add(Run());
            using var span = MelleaTelemetry.GenerationSource.StartActivity("probe", ActivityKind.Client);
            underSpan.Add(Run());
        }

        return (bare.Order().ElementAt(3), underSpan.Order().ElementAt(3));
    }

    /// <summary>
    /// A whole chat through each middleware alone, interleaved with the bare backend, over loopback (the emulator in a child
    /// process) or in memory (<c>layers</c>): which layer makes the listened pipeline slower.
    /// </summary>
    private static async Task LoopbackChatLayersAsync(bool inMemory)
    {
        await using var emulator = inMemory ? null : await EmulatorProcess.StartAsync(1000);
        var baseUrl = emulator?.OpenAIBaseUrl ?? "http://bench.invalid/v1";
        HttpMessageHandler Handler(bool propagate) => inMemory
            ? new InMemoryHandler(WireFixtures.StreamBody(1000), WireFixtures.ChatBody(1000))
            : new SocketsHttpHandler { ActivityHeadersPropagator = propagate ? DistributedContextPropagator.Current : null };
        using var http = new HttpClient(Handler(propagate: true));
        var clients = new Clients(http, baseUrl, TelemetryState.Listening);
        var backend = clients.Backend;

        // The same backend on a client whose handler propagates no trace context: with a current Activity, HttpClient
        // still starts its own HTTP activity, but puts no header on the request.
        using var silentHttp = new HttpClient(Handler(propagate: false));
        var silentBackend = new Clients(silentHttp, baseUrl, TelemetryState.Listening).Backend;
        var request = new ChatRequest("Say something long.");
        List<BenchCase> cases =
        [
            .. BareCases(backend, request),
            new("Backend, cancellable token", async () =>
            {
                using var cts = new CancellationTokenSource();
                return (await backend.ChatAsync(request, cts.Token)).Text.Length;
            }),
            new("Backend under a plain Activity", async () =>
            {
                using var span = new Activity("probe").Start();
                return (await backend.ChatAsync(request)).Text.Length;
            }),
            new("Backend under a span, no header propagator", async () =>
            {
                using var span = MelleaTelemetry.GenerationSource.StartActivity("probe", ActivityKind.Client);
                return (await silentBackend.ChatAsync(request)).Text.Length;
            }),
            .. LayerCases(backend, request),
        ];
        var result = await Interleaved.RunAsync(cases, rounds: 21, opsPerRound: 20, warmupOps: 20);

        // Wall time against the CPU the whole process (client, in-process server, thread pool) burns per call: a layer that
        // adds wall time without CPU waits (a hop, a wake-up); one that adds CPU far beyond its in-memory cost spins.
        var cpu = new Dictionary<string, (double Wall, double Cpu)>();
        using var process = Process.GetCurrentProcess();
        for (var round = 0; round < 5; round++)
        {
            foreach (var benchCase in cases)
            {
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < 100; i++)
                {
                    await benchCase.Run();
                }

                var wall = Stopwatch.GetElapsedTime(started).TotalMicroseconds / 100;
                process.Refresh();
                var used = (process.TotalProcessorTime - cpuBefore).TotalMicroseconds / 100;
                cpu[benchCase.Name] = cpu.TryGetValue(benchCase.Name, out var best) && best.Wall < wall ? best : (wall, used);
            }
        }

        foreach (var name in result.Names)
        {
            Console.WriteLine($"{result.MedianMicroseconds(name),8:F1} µs  {result.TimeRatio(name, "Backend"):F2}x  best of 5: {cpu[name].Wall,7:F1} µs wall, {cpu[name].Cpu,7:F1} µs CPU (all threads)  {name} ({(inMemory ? "in-memory" : "loopback")} chat)");
        }
    }

    /// <summary>A whole chat through the bare backend, and through it with an SDK span current around the call.</summary>
    private static List<BenchCase> BareCases(IGenerationHandler backend, ChatRequest request) =>
    [
        new("Backend", async () => (await backend.ChatAsync(request)).Text.Length),
        new("Backend under a span", async () =>
        {
            using var span = MelleaTelemetry.GenerationSource.StartActivity("probe", ActivityKind.Client);
            return (await backend.ChatAsync(request)).Text.Length;
        }),
    ];

    /// <summary>A whole chat through an empty pipeline, each middleware alone, and the full listened pipeline.</summary>
    private static List<BenchCase> LayerCases(IGenerationHandler backend, ChatRequest request)
    {
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        Func<ValueTask<long>> Call(IGenerationHandler h) => async () => (await h.ChatAsync(request)).Text.Length;
        return
        [
            new("empty pipeline", Call(backend.AsBuilder().Build())),
            new("tracing only", Call(backend.AsBuilder().UseTracing(o => { o.CaptureContent = false; o.Environment = environment; }).Build())),
            new("metrics only", Call(backend.AsBuilder().UseMetrics(o => o.Environment = environment).Build())),
            new("retry only", Call(backend.AsBuilder().UseRetry().Build())),
            new("full", Call(BenchTelemetry.FullPipeline(backend, TelemetryState.Listening))),
        ];
    }

    /// <summary>
    /// A whole in-memory chat through each layer, timed one call at a time with the CPU caches flushed before every call (a
    /// 32 MiB buffer written through first): what a layer costs when its code and data are not already cached, as between
    /// calls that wait on a network (bench/results/analysis.md, "Chat over loopback").
    /// </summary>
    private static async Task ColdChatLayersAsync()
    {
        using var http = new HttpClient(new InMemoryHandler(WireFixtures.StreamBody(1000), WireFixtures.ChatBody(1000)));
        var backend = new Clients(http, "http://bench.invalid/v1", TelemetryState.Listening).Backend;
        var request = new ChatRequest("Say something long.");
        List<BenchCase> cases =
        [
            .. BareCases(backend, request),
            new("Backend + the same telemetry by hand", () => HandTelemetry.ChatAsync(backend, request)),
            .. LayerCases(backend, request),
        ];
        var flush = new byte[32 * 1024 * 1024];
        var times = cases.ToDictionary(c => c.Name, _ => new List<double>());
        for (var round = 0; round < 600; round++)
        {
            foreach (var benchCase in round < 100 ? cases : cases.Skip(round % cases.Count).Concat(cases.Take(round % cases.Count)))
            {
                for (var i = 0; i < flush.Length; i += 64)
                {
                    flush[i]++;
                }

                var started = Stopwatch.GetTimestamp();
                await benchCase.Run();
                if (round >= 100)
                {
                    times[benchCase.Name].Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                }
            }
        }

        var bare = times["Backend"].Order().ElementAt(times["Backend"].Count / 2);
        foreach (var benchCase in cases)
        {
            var median = times[benchCase.Name].Order().ElementAt(times[benchCase.Name].Count / 2);
            Console.WriteLine($"{median,8:F1} µs  +{median - bare,6:F1} µs  {median / bare:F2}x  {benchCase.Name} (in-memory chat, caches flushed before each call)");
        }
    }

    private sealed class NullMetricExporter : OpenTelemetry.BaseExporter<OpenTelemetry.Metrics.Metric>
    {
        public override OpenTelemetry.ExportResult Export(in OpenTelemetry.Batch<OpenTelemetry.Metrics.Metric> batch) => OpenTelemetry.ExportResult.Success;
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
