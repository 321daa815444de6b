using System.Diagnostics.Metrics;

namespace Mellea.Metrics.Tests;

public sealed class AllocationTests
{
    [Fact]
    public void With_no_listener_a_chat_call_through_the_metrics_middleware_allocates_nothing()
    {
        // A meter of its own that nobody listens to, and a hand-written handler that answers synchronously (a mock allocates).
        using var meter = new Meter($"mellea.metrics.silent.{Guid.NewGuid():N}");
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        var handler = new CannedHandler(TestHandlers.Answer());
        var bare = handler.AsBuilder().Build();
        var observed = handler.AsBuilder().UseMetrics(meter, o => o.Environment = environment).Build();
        var request = TestHandlers.Chat();

        var withMetrics = AllocatedPerThousandCalls(observed, request);
        var without = AllocatedPerThousandCalls(bare, request);

        // Measured against the same pipeline without the middleware, so that this test pins the middleware's cost and
        // nothing else (the pipeline's own zero-allocation promise is the core tests' to keep).
        (withMetrics - without).Should().Be(0, "the middleware checks Enabled first and passes the call through");
        withMetrics.Should().BeLessThanOrEqualTo(without);
    }

    [Fact]
    public void A_chat_call_that_succeeds_at_once_through_the_retry_middleware_allocates_nothing()
    {
        var handler = new CannedHandler(TestHandlers.Answer());
        var bare = handler.AsBuilder().Build();
        var retried = handler.AsBuilder().UseRetry().Build();
        var request = TestHandlers.Chat();

        var withRetry = AllocatedPerThousandCalls(retried, request);
        var without = AllocatedPerThousandCalls(bare, request);

        // Polly's pooled ResilienceContext, a struct state and a static callback: nothing per call on the happy path.
        (withRetry - without).Should().Be(0);
    }

    [Fact]
    public async Task With_a_listener_the_same_call_is_recorded_which_proves_the_silent_path_is_the_enabled_check()
    {
        using var meter = new Meter($"mellea.metrics.loud.{Guid.NewGuid():N}");
        using var collector = new MetricCollector(meter);
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        var pipeline = new CannedHandler(TestHandlers.Answer()).AsBuilder().UseMetrics(meter, o => o.Environment = environment).Build();

        await pipeline.ChatAsync(TestHandlers.Chat());

        collector.Of(MelleaMetrics.OperationDuration).Should().ContainSingle();
    }

    private static long AllocatedPerThousandCalls(GenerationPipeline pipeline, ChatRequest request)
    {
        for (var i = 0; i < 200; i++)
        {
            CallSynchronously(pipeline, request);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            CallSynchronously(pipeline, request);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void CallSynchronously(GenerationPipeline pipeline, ChatRequest request)
    {
        var pending = pipeline.ChatAsync(request);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The canned handler answers synchronously; the pipeline should too.");
        }

        _ = pending.Result;
    }
}
