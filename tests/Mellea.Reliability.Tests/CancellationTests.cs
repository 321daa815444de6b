using System.Diagnostics;
using Mellea.Reliability.Tests.Support;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>
/// Cancelling at each point of a call (before send, waiting for headers, mid-stream, during a retry back-off) ends it within
/// 1 s, disposes the HTTP response (the emulator sees the request end), and marks the span cancelled. Every backend, every
/// operation where the point exists.
/// </summary>
public sealed class CancellationTests
{
    private static readonly TimeSpan EndsWithin = TimeSpan.FromSeconds(1);

    public enum CancelPoint
    {
        BeforeSend,
        WaitingForHeaders,
        MidStream,
        DuringRetryBackoff,
    }

    public static TheoryData<BackendKind, Operation, CancelPoint> Cases
    {
        get
        {
            var cases = new TheoryData<BackendKind, Operation, CancelPoint>();
            foreach (var backend in Enum.GetValues<BackendKind>())
            {
                foreach (var operation in Enum.GetValues<Operation>())
                {
                    foreach (var point in Enum.GetValues<CancelPoint>().Where(p => p != CancelPoint.MidStream || operation == Operation.Stream))
                    {
                        cases.Add(backend, operation, point);
                    }
                }
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Cancelling_ends_the_call_within_a_second_disposes_the_response_and_marks_the_span_cancelled(BackendKind backend, Operation operation, CancelPoint point)
    {
        using var activities = new ActivityCollector();
        var logs = new CapturingLoggerFactory();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        var signal = new SendSignal();
        await using var rig = await Rig.StartAsync(backend, signal);
        rig.Emulator.DefaultScript = point switch
        {
            CancelPoint.WaitingForHeaders => FaultScripts.Answer().WithFirstByteDelay(TimeSpan.FromMinutes(5)),
            CancelPoint.MidStream => FaultScripts.Answer().WithChunkDelay(TimeSpan.FromMinutes(5)),
            CancelPoint.DuringRetryBackoff => EmulatorScript.Failing(EmulatorFault.Status(429, retryAfter: TimeSpan.FromSeconds(50))),
            _ => FaultScripts.Answer(),
        };
        var pipeline = Pipelines.Full(rig.Backend, clock, logs);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        if (point == CancelPoint.BeforeSend)
        {
            await cancel.CancelAsync();
        }

        Task<CallOutcome> call;
        var firstUpdate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (activities.StartRoot())
        {
            call = operation == Operation.Stream && point == CancelPoint.MidStream
                ? StreamUntilCancelledAsync(pipeline, firstUpdate, cancel.Token)
                : Calls.RunAsync(pipeline, operation, cancel.Token);
        }

        switch (point)
        {
            case CancelPoint.WaitingForHeaders:
                await Bounded.WithinAsync(signal.Sent, Bounded.Case, "the request being sent");
                break;
            case CancelPoint.MidStream:
                // Headers in, the body open, the next frame minutes away (some formats' first frame carries only the role).
                await Bounded.WithinAsync(signal.Answered, Bounded.Case, "the stream's headers");
                break;
            case CancelPoint.DuringRetryBackoff:
                await Bounded.WithinAsync(signal.Answered, Bounded.Case, "the 429");
                await Bounded.WithinAsync(UntilAsync(() => clock.ArmedTimers > 0), Bounded.Case, "the back-off starting");
                break;
        }

        var stopwatch = Stopwatch.StartNew();
        await cancel.CancelAsync();
        var outcome = await Bounded.WithinAsync(call, Bounded.Case, "the cancelled call");
        stopwatch.Stop();

        stopwatch.Elapsed.Should().BeLessThan(EndsWithin, "a cancelled call ends at once");
        outcome.Error.Should().BeAssignableTo<OperationCanceledException>($"cancellation surfaces as cancellation, got {outcome.Error}");
        var span = activities.GenerationSpans.Should().ContainSingle().Subject;
        span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be("cancelled");
        span.Status.Should().Be(ActivityStatusCode.Unset, "a cancellation is not an error");
        activities.Started.Count.Should().Be(activities.Stopped.Count);
        await Bounded.WithinAsync(rig.Emulator.WhenNoActiveRequestsAsync(), Bounded.Cleanup, "the emulator seeing the response disposed");
        clock.ArmedTimers.Should().Be(0, "the back-off and attempt timers are gone");
        if (point == CancelPoint.BeforeSend)
        {
            rig.Emulator.Requests.Should().BeEmpty("a call cancelled before it starts sends nothing");
        }
    }

    private static async Task<CallOutcome> StreamUntilCancelledAsync(IGenerationHandler handler, TaskCompletionSource firstUpdate, CancellationToken cancellationToken)
    {
        var received = new System.Text.StringBuilder();
        try
        {
            await foreach (var update in handler.StreamChatAsync(Calls.Chat(), cancellationToken).WithCancellation(cancellationToken))
            {
                received.Append(update.TextDelta);
                if (received.Length > 0)
                {
                    firstUpdate.TrySetResult();
                }
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
