using System.Diagnostics;
using Mellea.Reliability.Tests.Support;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>
/// Cancelling at a random moment of each phase of a call (before send, waiting for headers, mid-stream, during a retry back-off) ends
/// it within 1 s, disposes the HTTP response (the emulator sees the request end), and marks the span cancelled. Every backend, every
/// operation where the phase exists. The moment within the phase comes from a fixed seed, logged in the case name and the ledger, so
/// a case replays exactly; waits inside a phase run on the accelerated clock, never on real sleeps. The long mode runs more seeds.
/// </summary>
public sealed class CancellationTests
{
    /// <summary>The first seed; the long mode (<c>MELLEA_RELIABILITY_LONG=1</c>) runs <see cref="LongSeeds"/> seeds from it.</summary>
    public const int Seed = 91_122;

    private const int LongSeeds = 20;

    private static readonly TimeSpan EndsWithin = TimeSpan.FromSeconds(1);

    /// <summary>The longest random wait inside the header wait or the back-off, on the accelerated clock (0.5 s of real time).</summary>
    private static readonly TimeSpan MaxWaitInPhase = TimeSpan.FromSeconds(5);

    public enum CancelPoint
    {
        BeforeSend,
        WaitingForHeaders,
        MidStream,
        DuringRetryBackoff,
    }

    public static TheoryData<BackendKind, Operation, CancelPoint, int> Cases
    {
        get
        {
            var cases = new TheoryData<BackendKind, Operation, CancelPoint, int>();
            for (var seed = Seed; seed < Seed + LongMode.Pick(ci: 1, full: LongSeeds); seed++)
            {
                foreach (var backend in Enum.GetValues<BackendKind>())
                {
                    foreach (var operation in Enum.GetValues<Operation>())
                    {
                        foreach (var point in Enum.GetValues<CancelPoint>().Where(p => p != CancelPoint.MidStream || operation == Operation.Stream))
                        {
                            cases.Add(backend, operation, point, seed);
                        }
                    }
                }
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cancelling_ends_the_call_within_a_second_disposes_the_response_and_marks_the_span_cancelled(BackendKind backend, Operation operation, CancelPoint point, int seed)
    {
        // One generator per case, from the seed and the case alone (not HashCode, which differs per process): a seed replays.
        var random = new Random((seed * 1_000) + ((int)backend * 100) + ((int)operation * 10) + (int)point);
        using var activities = new ActivityCollector();
        var logs = new CapturingLoggerFactory();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        var signal = new SendSignal();
        await using var rig = await Rig.StartAsync(backend, signal);
        rig.Emulator.DefaultScript = point switch
        {
            CancelPoint.WaitingForHeaders => FaultScripts.Answer().WithFirstByteDelay(TimeSpan.FromMinutes(5)),
            CancelPoint.DuringRetryBackoff => EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(50))),
            _ => FaultScripts.Answer(),
        };
        var pipeline = Pipelines.Full(rig.Backend, clock, logs);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        // Where in the phase: before the call starts or just before its first request leaves; after a random wait for headers or
        // within the back-off; after a random number of the stream's frames (its answer chunks; the end signal never arrives).
        var beforeTheCall = random.Next(2) == 0;
        var frames = random.Next(1, Markers.AnswerChunks.Length + 1);
        var wait = TimeSpan.FromMilliseconds(random.Next((int)MaxWaitInPhase.TotalMilliseconds));
        var where = point switch
        {
            CancelPoint.BeforeSend => beforeTheCall ? "before the call" : "before the first request",
            CancelPoint.MidStream => $"after frame {frames}",
            _ => $"after {wait.TotalMilliseconds:0} ms",
        };
        if (point == CancelPoint.BeforeSend && beforeTheCall)
        {
            await cancel.CancelAsync();
        }
        else if (point == CancelPoint.BeforeSend)
        {
            signal.BeforeFirstSend = cancel.Cancel;
        }
        else if (point == CancelPoint.MidStream)
        {
            signal.HoldAfterFrames = frames;
        }

        Task<CallOutcome> call;
        using (activities.StartRoot())
        {
            call = operation == Operation.Stream && point == CancelPoint.MidStream
                ? StreamUntilCancelledAsync(pipeline, cancel.Token)
                : Calls.RunAsync(pipeline, operation, cancel.Token);
        }

        switch (point)
        {
            case CancelPoint.WaitingForHeaders:
                await Bounded.WithinAsync(signal.Sent, Bounded.Case, "the request being sent");
                await Task.Delay(wait, clock, TestContext.Current.CancellationToken);
                break;
            case CancelPoint.MidStream:
                // Headers in, the body open, the reader waiting for the frame after the chosen one.
                await Bounded.WithinAsync(signal.Held, Bounded.Case, "the stream reaching its chosen frame");
                break;
            case CancelPoint.DuringRetryBackoff:
                await Bounded.WithinAsync(signal.Answered, Bounded.Case, "the 429");
                await Bounded.WithinAsync(UntilAsync(() => clock.ArmedTimers > 0), Bounded.Case, "the back-off starting");
                await Task.Delay(wait, clock, TestContext.Current.CancellationToken);
                break;
        }

        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var outcome = await Bounded.WithinAsync(call, Bounded.Case, "the cancelled call");
        stopwatch.Stop();

        var because = $"seed {seed}: {backend} {operation} cancelled {point} {where}";
        stopwatch.Elapsed.Should().BeLessThan(EndsWithin, $"{because}: a cancelled call ends at once");
        outcome.Error.Should().BeAssignableTo<OperationCanceledException>($"{because}: cancellation surfaces as cancellation, got {outcome.Error}");
        var span = activities.GenerationSpans.Should().ContainSingle(because).Subject;
        span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be("cancelled", because);
        span.Status.Should().Be(ActivityStatusCode.Unset, $"{because}: a cancellation is not an error");
        activities.Started.Count.Should().Be(activities.Stopped.Count);
        await Bounded.WithinAsync(rig.Emulator.WhenNoActiveRequestsAsync(), Bounded.Cleanup, "the emulator seeing the response disposed");
        if (point == CancelPoint.MidStream)
        {
            await Bounded.WithinAsync(signal.BodyDisposed, Bounded.Cleanup, "the streamed response being disposed");
        }

        clock.ArmedTimers.Should().Be(0, $"{because}: the back-off and attempt timers are gone");
        if (point == CancelPoint.BeforeSend)
        {
            rig.Emulator.Requests.Should().BeEmpty($"{because}: a call cancelled before it sends sends nothing");
        }

        Ledger.Record("cancel", $"seed {seed} {backend}/{operation}/{point}", $"{where} ended_ms={stopwatch.Elapsed.TotalMilliseconds:0}");
    }

    private static async Task<CallOutcome> StreamUntilCancelledAsync(IGenerationHandler handler, CancellationToken cancellationToken)
    {
        var received = new System.Text.StringBuilder();
        try
        {
            await foreach (var update in handler.StreamChatAsync(Calls.Chat(), cancellationToken).WithCancellation(cancellationToken))
            {
                received.Append(update.TextDelta);
            }

            return CallOutcome.Succeeded(received.ToString(), [received.ToString()], finished: false);
        }
        catch (Exception ex)
        {
            return CallOutcome.Failed(ex, received.ToString());
        }
    }

    private static async Task UntilAsync(Func<bool> condition)
    {
        // Polls a condition (bounded by the caller); it waits for an event, not for an amount of time.
        while (!condition())
        {
            await Task.Delay(1);
        }
    }
}
