using System.Diagnostics;
using Mellea.Reliability.Tests.Support;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>
/// Issue 9's fault matrix for one backend: every operation × every fault, through the full pipeline (tracing &gt; metrics &gt;
/// retry) against the loopback emulator. One derived class per backend, so the five backends run in parallel.
/// </summary>
public abstract class FaultMatrix(BackendKind backend)
{
    public static TheoryData<Operation, Fault> Cases
    {
        get
        {
            var cases = new TheoryData<Operation, Fault>();
            foreach (var operation in Enum.GetValues<Operation>())
            {
                foreach (var fault in Enum.GetValues<Fault>().Where(f => FaultScripts.AppliesTo(f, operation)))
                {
                    cases.Add(operation, fault);
                }
            }

            return cases;
        }
    }

    [Theory]
    [MemberData(nameof(Cases), MemberType = typeof(FaultMatrix))]
    public async Task Each_fault_ends_in_the_whole_answer_or_a_typed_error_with_its_span_ended_nothing_left_running_and_no_secret_emitted(Operation operation, Fault fault)
    {
        var token = TestContext.Current.CancellationToken;
        using var activities = new ActivityCollector();
        using var metrics = new MetricTagRecorder();
        var logs = new CapturingLoggerFactory();
        var clock = new AcceleratedTimeProvider(Pipelines.Acceleration);
        await using var rig = await Rig.StartAsync(backend);
        rig.Emulator.Enqueue(FaultScripts.For(fault));
        var pipeline = Pipelines.Full(rig.Backend, clock, logs);

        CallOutcome outcome;
        using (activities.StartRoot())
        {
            outcome = await Bounded.WithinAsync(Calls.RunAsync(pipeline, operation, token), Bounded.Case, $"{backend} {operation} under {fault}");
        }

        var expectation = MatrixExpectation.For(operation, fault);
        expectation.Check(outcome, $"{backend} {operation} under {fault}");

        // The span: exactly one generation span, started and stopped, whose status and outcome say what happened.
        activities.Started.Count.Should().Be(activities.Stopped.Count, "every span that started has stopped");
        var span = activities.GenerationSpans.Should().ContainSingle("one logical call is one span, retries included").Subject;
        if (outcome.Success)
        {
            // Only a whole answer succeeds: a stream cut before its end signal fails typed (checked by the expectation above).
            span.Status.Should().Be(ActivityStatusCode.Unset);
            span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().BeNull("a completed span has no outcome");
        }
        else
        {
            span.Status.Should().Be(ActivityStatusCode.Error);
            span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be("failed");
            span.GetTagItem(GenAiAttributes.MelleaErrorCategory).Should().Be(outcome.Category!.Value.ToWireName());
        }

        if (expectation.Retried)
        {
            span.GetTagItem(GenAiAttributes.MelleaRetryAttempts).Should().Be(1, "the fault was answered once, then the emulator answered normally");
        }

        if (fault == Fault.RateLimitedWithRetryAfter)
        {
            var retry = span.Events.Should().ContainSingle(e => e.Name == "mellea.retry").Subject;
            retry.Tags.Should().Contain(new KeyValuePair<string, object?>("mellea.retry.retry_after", true));
            retry.Tags.Should().Contain(new KeyValuePair<string, object?>("mellea.retry.delay", 1.0), "the provider's Retry-After is waited exactly (on the accelerated clock)");
        }

        // Nothing left running: no request handler, no connection once the client is gone, no armed timeout or back-off.
        rig.Client.Dispose();
        await Bounded.WithinAsync(rig.Emulator.WhenNoActiveRequestsAsync(), Bounded.Cleanup, "every emulator request ending");
        await Bounded.WithinAsync(rig.Emulator.WhenNoOpenConnectionsAsync(), Bounded.Cleanup, "every connection closing");
        clock.ArmedTimers.Should().Be(0, "no attempt timeout or back-off timer outlives the call");

        // Secrets: the key and IAM tokens nowhere; the prompt nowhere either, content capture being off.
        var emitted = activities.Stopped.Select(a => ("span " + a.DisplayName, Emitted.Describe(a)))
            .Concat(metrics.Lines.Select(l => ("metric", l)))
            .Concat(logs.Lines.Select(l => ("log", l)));
        if (outcome.Error is { } error)
        {
            emitted = emitted.Append(("exception", Emitted.Describe(error)));
        }

        Emitted.Leaks(emitted, rig.Secrets, promptAllowed: false).Should().BeEmpty();
        Ledger.Record("matrix", $"{backend}/{operation}/{fault}", outcome.Success ? $"{(outcome.Finished ? "ok" : "ok-unfinished")} retries={span.GetTagItem(GenAiAttributes.MelleaRetryAttempts) ?? 0} chars={outcome.Text.Length}" : $"{outcome.Category?.ToWireName()} received={outcome.Text.Length}");
    }
}

public sealed class OpenAIFaultMatrixTests() : FaultMatrix(BackendKind.OpenAI);

public sealed class LiteLlmFaultMatrixTests() : FaultMatrix(BackendKind.LiteLlm);

public sealed class OllamaFaultMatrixTests() : FaultMatrix(BackendKind.Ollama);

public sealed class HuggingFaceFaultMatrixTests() : FaultMatrix(BackendKind.HuggingFace);

public sealed class WatsonxFaultMatrixTests() : FaultMatrix(BackendKind.Watsonx);
