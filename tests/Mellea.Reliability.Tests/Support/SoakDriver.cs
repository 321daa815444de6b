using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mellea.Reliability.Tests.Support;

/// <summary>What one soak run measured.</summary>
internal sealed class SoakReport
{
    public required int Calls { get; init; }

    public required int Concurrency { get; init; }

    public required int Seed { get; init; }

    public required int Faulted { get; init; }

    /// <summary>Calls per verdict: <c>ok</c>, a category's wire name, or <c>untyped …</c>.</summary>
    public required IReadOnlyDictionary<string, int> Verdicts { get; init; }

    /// <summary>Calls that crashed (an untyped exception) or succeeded with a changed, cut or unfinished answer.</summary>
    public required IReadOnlyList<string> Crashes { get; init; }

    /// <summary>Secrets found in spans, metrics, logs or exceptions.</summary>
    public required IReadOnlyList<string> Leaks { get; init; }

    /// <summary>Spans of the measured calls, started and stopped (the warm-up's excluded).</summary>
    public required long SpansStarted { get; init; }

    public required long SpansStopped { get; init; }

    public required long ErrorSpans { get; init; }

    public required long MemoryBefore { get; init; }

    public required long MemoryAfter { get; init; }

    public required int UnobservedTaskExceptions { get; init; }

    /// <summary>The unobserved exceptions themselves (<see cref="Exception.ToString"/>), for the failure message.</summary>
    public required IReadOnlyList<string> UnobservedTaskExceptionDetails { get; init; }

    public required int ArmedTimers { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public int Successes => Verdicts.TryGetValue("ok", out var ok) ? ok : 0;

    public int UntypedFailures => Verdicts.Where(v => v.Key.StartsWith("untyped", StringComparison.Ordinal)).Sum(v => v.Value);

    public IEnumerable<KeyValuePair<string, int>> TypedFailures => Verdicts.Where(v => v.Key != "ok" && !v.Key.StartsWith("untyped", StringComparison.Ordinal)).OrderBy(v => v.Key, StringComparer.Ordinal);

    public override string ToString() =>
        $"{Elapsed.TotalSeconds:0.0}s faulted={Faulted} memory_delta={MemoryAfter - MemoryBefore} spans={SpansStopped} error_spans={ErrorSpans} " +
        string.Join(' ', Verdicts.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}

/// <summary>
/// The soak of issue 9, shared by <c>SoakTests</c> (2,000 calls, asserted) and the bench project's <c>--soak</c> mode (20,000 calls,
/// printed): calls mixed chat, stream and raw over all five backends, a share of them meeting an injected fault, through
/// tracing &gt; metrics &gt; retry with a span and a metric listener. Each call is decided by <c>seed + index</c>, so a seed replays.
/// </summary>
internal static class SoakDriver
{
    public const int DefaultConcurrency = 64;
    public const double DefaultFaultRate = 0.05;
    public const int DefaultSeed = 20_261_122;

    private static readonly Fault[] SoakFaults =
    [
        Fault.RateLimitedWithRetryAfter, Fault.InternalServerError, Fault.ServiceUnavailable, Fault.Unauthorized, Fault.ResetBeforeHeaders,
        Fault.DroppedMidStream, Fault.MalformedJson, Fault.TruncatedStream, Fault.ErrorEventMidStream, Fault.EmptyBody,
    ];

    public static async Task<SoakReport> RunAsync(int calls, CancellationToken cancellationToken, int concurrency = DefaultConcurrency, double faultRate = DefaultFaultRate, int seed = DefaultSeed)
    {
        var rigs = new List<Rig>();
        foreach (var backend in Enum.GetValues<BackendKind>())
        {
            rigs.Add(await Rig.StartAsync(backend, new SocketsHttpHandler { MaxConnectionsPerServer = concurrency }));
        }

        var unobserved = 0;
        var unobservedDetails = new ConcurrentQueue<string>();
        void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e)
        {
            // Kept whole, so a failure names the task's exception and where it came from.
            Interlocked.Increment(ref unobserved);
            unobservedDetails.Enqueue(e.Exception.ToString());
        }

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

            async Task RunBatchAsync(int count, int batchSeed)
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    var random = new Random(batchSeed + i);
                    var index = i % rigs.Count;
                    var operation = (Operation)random.Next(3);
                    if (random.NextDouble() < faultRate)
                    {
                        Interlocked.Increment(ref faulted);
                        var fault = SoakFaults[random.Next(SoakFaults.Length)];
                        rigs[index].Emulator.Enqueue(FaultScripts.For(fault == Fault.ErrorEventMidStream && operation != Operation.Stream ? Fault.InternalServerError : fault));
                    }

                    var outcome = await Calls.RunAsync(pipelines[index], operation, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
                    string verdict;
                    if (outcome.Error is null)
                    {
                        verdict = "ok";

                        // Bytes lost: zero. A success is the whole answer with its finish reason, never a cut prefix.
                        if (!outcome.Finished || outcome.Texts.Any(t => t != Markers.Answer))
                        {
                            crashes.Enqueue($"{rigs[index].Kind} {operation}: a success lost, changed or cut bytes: {outcome}");
                        }
                    }
                    else if (outcome.Error is GenerationException typed)
                    {
                        verdict = typed.Category.ToWireName();
                        if (!Markers.Answer.StartsWith(outcome.Text, StringComparison.Ordinal))
                        {
                            crashes.Enqueue($"{rigs[index].Kind} {operation}: a failed call delivered text that is not a prefix of the answer");
                        }

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

            using (spans.StartRoot())
            {
                // Warm up (JIT, pools, connections), then measure from a settled heap.
                await RunBatchAsync(concurrency * 2, batchSeed: 1);
                var logLines = new List<string>(logs.Drain());
                ForgetRequests(rigs);
                var before = SettledMemory();
                var warmupStarted = spans.Started;
                var warmupStopped = spans.Stopped;
                var warmupErrors = spans.ErrorSpans;
                tally.Clear();
                Interlocked.Exchange(ref faulted, 0);

                var stopwatch = Stopwatch.StartNew();
                await RunBatchAsync(calls, seed);
                stopwatch.Stop();

                // What the harness keeps (the emulators' request records, the captured log lines) is scanned, then let go: the bound
                // is on what the library under test keeps, not on the test's own records.
                var secrets = rigs.SelectMany(r => r.Secrets).Distinct().ToList();
                logLines.AddRange(logs.Drain());
                var leaks = spans.Leaks.Concat(exceptionLeaks)
                    .Concat(Emitted.Leaks(metrics.Lines.Select(l => ("metric", l)).Concat(logLines.Select(l => ("log", l))), secrets, promptAllowed: false))
                    .ToList();
                logLines = [];
                ForgetRequests(rigs);
                var after = SettledMemory();
                return new SoakReport
                {
                    Calls = calls,
                    Concurrency = concurrency,
                    Seed = seed,
                    Faulted = Volatile.Read(ref faulted),
                    Verdicts = new Dictionary<string, int>(tally, StringComparer.Ordinal),
                    Crashes = [.. crashes],
                    Leaks = leaks,
                    SpansStarted = spans.Started - warmupStarted,
                    SpansStopped = spans.Stopped - warmupStopped,
                    ErrorSpans = spans.ErrorSpans - warmupErrors,
                    MemoryBefore = before,
                    MemoryAfter = after,
                    UnobservedTaskExceptions = Volatile.Read(ref unobserved),
                    UnobservedTaskExceptionDetails = [.. unobservedDetails],
                    ArmedTimers = clock.ArmedTimers,
                    Elapsed = stopwatch.Elapsed,
                };
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

    private static void ForgetRequests(List<Rig> rigs)
    {
        foreach (var rig in rigs)
        {
            rig.Emulator.ClearRequests();
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
