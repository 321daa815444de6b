using System.Collections.Concurrent;
using System.Diagnostics;
using Mellea.Reliability.Tests.Support;

namespace Mellea.Reliability.Tests;

/// <summary>The soak runs alone: it measures the process's managed memory, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(SoakCollection), DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>
/// 2,000 calls (20,000 in the long mode) mixed chat, stream and raw over all five backends, 5% of them meeting an injected
/// fault, at concurrency 64, through tracing &gt; metrics &gt; retry with a span and a metric listener.
/// </summary>
[Collection(nameof(SoakCollection))]
public sealed class SoakTests
{
    private const int Concurrency = 64;
    private const double FaultRate = 0.05;
    private const long MemoryBoundBytes = 16L * 1024 * 1024;

    private static readonly Fault[] SoakFaults =
    [
        Fault.RateLimitedWithRetryAfter, Fault.InternalServerError, Fault.ServiceUnavailable, Fault.Unauthorized, Fault.ResetBeforeHeaders,
        Fault.DroppedMidStream, Fault.MalformedJson, Fault.TruncatedStream, Fault.ErrorEventMidStream, Fault.EmptyBody,
    ];

    [Fact]
    public async Task Thousands_of_mixed_calls_with_faults_leak_no_span_no_memory_no_unobserved_exception_and_end_typed()
    {
        var calls = LongMode.Pick(ci: 2_000, full: 20_000);
        var token = TestContext.Current.CancellationToken;
        var rigs = new List<Rig>();
        foreach (var backend in Enum.GetValues<BackendKind>())
        {
            rigs.Add(await Rig.StartAsync(backend, new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency }));
        }

        var unobserved = 0;
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => Interlocked.Increment(ref unobserved);
        TaskScheduler.UnobservedTaskException += OnUnobserved;
        try
        {
            var logs = new CapturingLoggerFactory();
            var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
            using var metrics = new MetricTagRecorder();
            using var spans = new SpanAuditor(() => [.. rigs.SelectMany(r => r.Secrets).Distinct()]);
            var pipelines = rigs.Select(r => Pipelines.Full(r.Backend, clock, logs)).ToArray();
            var tally = new ConcurrentDictionary<string, int>();
            var crashes = new ConcurrentQueue<string>();
            var exceptionLeaks = new ConcurrentQueue<string>();
            var faulted = 0;

            async Task RunAsync(int count, int seed)
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = token }, async (i, ct) =>
                {
                    var random = new Random(seed + i);
                    var index = i % rigs.Count;
                    var operation = (Operation)random.Next(3);
                    if (random.NextDouble() < FaultRate)
                    {
                        Interlocked.Increment(ref faulted);
                        var fault = SoakFaults[random.Next(SoakFaults.Length)];
                        rigs[index].Emulator.Enqueue(FaultScripts.For(fault == Fault.ErrorEventMidStream && operation != Operation.Stream ? Fault.InternalServerError : fault));
                    }

                    var outcome = await Calls.RunAsync(pipelines[index], operation, ct).WaitAsync(Bounded.Case, ct);
                    string verdict;
                    if (outcome.Error is null)
                    {
                        verdict = outcome.Finished ? "ok" : "ok-unfinished";
                        if (outcome.Finished && outcome.Texts.Any(t => t != Markers.Answer))
                        {
                            crashes.Enqueue($"{rigs[index].Kind} {operation}: a success lost or changed bytes: {outcome}");
                        }
                    }
                    else if (outcome.Error is GenerationException typed)
                    {
                        verdict = typed.Category.ToWireName();
                        if (exceptionLeaks.Count < 20)
                        {
                            foreach (var leak in Emitted.Leaks([("exception", Emitted.Describe(typed))], rigs[index].Secrets, promptAllowed: false))
                            {
                                exceptionLeaks.Enqueue(leak);
                            }
                        }
                    }
                    else
                    {
                        verdict = "untyped " + outcome.Error.GetType().Name;
                        crashes.Enqueue($"{rigs[index].Kind} {operation}: {outcome.Error}");
                    }

                    tally.AddOrUpdate(verdict, 1, (_, n) => n + 1);
                });
            }

            Activity root;
            using (root = spans.StartRoot())
            {
                // Warm up (JIT, pools, connections), then measure from a settled heap.
                await RunAsync(Concurrency * 2, seed: 1);
                var before = SettledMemory();
                var warmup = tally.Values.Sum();
                tally.Clear();
                Interlocked.Exchange(ref faulted, 0);

                var stopwatch = Stopwatch.StartNew();
                await RunAsync(calls, seed: 20_261_122);
                stopwatch.Stop();
                var after = SettledMemory();

                crashes.Should().BeEmpty("every call succeeds with the whole answer or fails with a GenerationException");
                tally.Values.Sum().Should().Be(calls);
                spans.Started.Should().Be(spans.Stopped, "no span is left open");
                spans.Stopped.Should().Be(calls + warmup, "one span per call");
                (after - before).Should().BeLessThan(MemoryBoundBytes, $"managed memory after a full GC stays near where it started ({before:N0} -> {after:N0} bytes)");
                Volatile.Read(ref unobserved).Should().Be(0, "no task's exception goes unobserved");
                spans.Leaks.Should().BeEmpty();
                exceptionLeaks.Should().BeEmpty();
                Emitted.Leaks(metrics.Lines.Select(l => ("metric", l)).Concat(logs.Lines.Select(l => ("log", l))), [.. rigs.SelectMany(r => r.Secrets).Distinct()], promptAllowed: false).Should().BeEmpty();
                clock.ArmedTimers.Should().Be(0);
                Ledger.Record("soak", $"{calls} calls, concurrency {Concurrency}", $"{stopwatch.Elapsed.TotalSeconds:0.0}s faulted={faulted} memory_delta={after - before} spans={spans.Stopped - warmup} error_spans={spans.ErrorSpans} {string.Join(' ', tally.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))}");
            }
        }
        finally
        {
            TaskScheduler.UnobservedTaskException -= OnUnobserved;
            foreach (var rig in rigs)
            {
                await rig.DisposeAsync();
            }
        }
    }

    private static long SettledMemory()
    {
        // Collect, run finalizers (which is also when unobserved task exceptions are raised), and collect what they freed.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
