using System.Diagnostics;
using Mellea.Reliability.Tests.Support;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>
/// A per-attempt timeout is a timeout wherever the retry middleware sits: inside tracing and metrics (the default order, one span
/// per call) and outside them (one span per attempt, so tracing and metrics see each timed-out attempt themselves). The caller's own
/// cancellation stays a cancellation in both orders. Time runs on the accelerated clock: the 20 s attempt timeout is 2 s of real time.
/// </summary>
public sealed class AttemptTimeoutTests
{
    [Fact]
    public async Task Retry_inside_tracing_and_metrics_a_timed_out_last_attempt_is_a_timeout_on_the_span_and_the_metrics()
    {
        using var activities = new ActivityCollector();
        using var metrics = new MetricTagRecorder();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        await using var rig = await Rig.StartAsync(BackendKind.OpenAI);
        rig.Emulator.DefaultScript = FaultScripts.Answer().WithFirstByteDelay(Pipelines.SlowFirstByte);
        var pipeline = rig.Backend.AsBuilder().UseTracing(Quiet).UseMetrics(Quiet).UseRetry(o => Retry(o, clock, retries: 0)).Build();

        CallOutcome outcome;
        using (activities.StartRoot())
        {
            outcome = await Bounded.WithinAsync(Calls.RunAsync(pipeline, Operation.Chat, TestContext.Current.CancellationToken), Bounded.Case, "the timed-out call");
        }

        outcome.Category.Should().Be(ErrorCategory.Timeout);
        var span = activities.GenerationSpans.Should().ContainSingle().Subject;
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.GetTagItem(GenAiAttributes.MelleaErrorCategory).Should().Be("timeout");
        metrics.Lines.Should().Contain(l => l.Contains("error.type=timeout", StringComparison.Ordinal));
        metrics.Lines.Should().NotContain(l => l.Contains("error.type=cancelled", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Retry_outside_tracing_and_metrics_the_timed_out_attempt_is_a_timeout_on_its_own_span_and_the_retry_answers()
    {
        using var activities = new ActivityCollector();
        using var metrics = new MetricTagRecorder();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        await using var rig = await Rig.StartAsync(BackendKind.OpenAI);
        rig.Emulator.Enqueue(FaultScripts.Answer().WithFirstByteDelay(Pipelines.SlowFirstByte));
        var pipeline = rig.Backend.AsBuilder().UseRetry(o => Retry(o, clock, retries: 1)).UseTracing(Quiet).UseMetrics(Quiet).Build();

        CallOutcome outcome;
        using (activities.StartRoot())
        {
            outcome = await Bounded.WithinAsync(Calls.RunAsync(pipeline, Operation.Chat, TestContext.Current.CancellationToken), Bounded.Case, "the retried call");
        }

        outcome.Error.Should().BeNull();
        outcome.Text.Should().Be(Markers.Answer);
        activities.GenerationSpans.Should().HaveCount(2, "retry outside tracing: one span per attempt");
        var timedOut = activities.GenerationSpans[0];
        timedOut.Status.Should().Be(ActivityStatusCode.Error);
        timedOut.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be("failed");
        timedOut.GetTagItem(GenAiAttributes.MelleaErrorCategory).Should().Be("timeout", "the attempt timed out; nobody cancelled it");
        activities.GenerationSpans[1].Status.Should().Be(ActivityStatusCode.Unset);
        metrics.Lines.Should().Contain(l => l.Contains("error.type=timeout", StringComparison.Ordinal));
        metrics.Lines.Should().NotContain(l => l.Contains("error.type=cancelled", StringComparison.Ordinal));
        clock.ArmedTimers.Should().Be(0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_callers_cancellation_stays_a_cancellation_in_either_order(bool retryOutside)
    {
        using var activities = new ActivityCollector();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        var signal = new SendSignal();
        await using var rig = await Rig.StartAsync(BackendKind.OpenAI, signal);
        rig.Emulator.DefaultScript = FaultScripts.Answer().WithFirstByteDelay(Pipelines.SlowFirstByte);
        var builder = rig.Backend.AsBuilder();
        var pipeline = retryOutside
            ? builder.UseRetry(o => Retry(o, clock, retries: 1)).UseTracing(Quiet).UseMetrics(Quiet).Build()
            : builder.UseTracing(Quiet).UseMetrics(Quiet).UseRetry(o => Retry(o, clock, retries: 1)).Build();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        Task<CallOutcome> call;
        using (activities.StartRoot())
        {
            call = Calls.RunAsync(pipeline, Operation.Chat, cancel.Token);
        }

        await Bounded.WithinAsync(signal.Sent, Bounded.Case, "the request being sent");
        await cancel.CancelAsync();
        var outcome = await Bounded.WithinAsync(call, Bounded.Case, "the cancelled call");

        outcome.Error.Should().BeAssignableTo<OperationCanceledException>();
        var span = activities.GenerationSpans.Should().ContainSingle().Subject;
        span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be("cancelled");
        span.Status.Should().Be(ActivityStatusCode.Unset);
    }

    private static void Quiet(TracingOptions options) => options.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());

    private static void Quiet(MetricsOptions options) => options.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());

    private static void Retry(RetryOptions options, AcceleratedTimeProvider clock, int retries)
    {
        options.MaxRetries = retries;
        options.InitialDelay = TimeSpan.FromMilliseconds(50);
        options.UseJitter = false;
        options.AttemptTimeout = Pipelines.AttemptTimeout;
        options.TimeProvider = clock;
    }
}
