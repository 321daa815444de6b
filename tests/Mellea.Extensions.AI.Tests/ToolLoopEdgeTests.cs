using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mellea.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mellea.Extensions.AI.Tests;

/// <summary>What the tool loop costs when it has nothing to do, and how it ends when the caller stops.</summary>
public sealed class ToolLoopEdgeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static AIFunction Echo() => AIFunctionFactory.Create((string text) => text, "echo");

    [Fact]
    public void With_no_tools_or_tool_choice_none_or_a_raw_call_the_middleware_allocates_nothing()
    {
        var handler = new SynchronousHandler();
        var bare = handler.AsBuilder().Build();
        var empty = handler.AsBuilder().UseToolInvocation().Build();
        var withTools = handler.AsBuilder().UseToolInvocation(Echo()).Build();
        var chat = new ChatRequest("hi");
        var noTools = new ChatRequest("hi", new GenerationOptions { ToolChoice = ToolChoice.None });
        var raw = new RawCompletionRequest(["hi"]);

        (Allocated(() => empty.ChatAsync(chat)) - Allocated(() => bare.ChatAsync(chat))).Should().Be(0);
        (Allocated(() => withTools.ChatAsync(noTools)) - Allocated(() => bare.ChatAsync(noTools))).Should().Be(0);
        (Allocated(() => withTools.CompleteRawAsync(raw)) - Allocated(() => bare.CompleteRawAsync(raw))).Should().Be(0);
    }

    [Fact]
    public async Task A_caller_cancelling_during_a_tool_cancels_the_call_and_records_no_tool_metric()
    {
        using var meter = new Meter("tools-edge-" + Guid.NewGuid().ToString("N"));
        using var metrics = new MetricCollector(meter);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var cancelling = AIFunctionFactory.Create(
            async (CancellationToken token) =>
            {
                await cts.CancelAsync();
                token.ThrowIfCancellationRequested();
                return "never";
            },
            "slow");
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("s1", "slow", "{}")), Turn.Say("never"));
        var pipeline = handler.AsBuilder().UseToolInvocation(o => { o.Meter = meter; o.Tools.Add(cancelling); }).Build();

        var act = async () => await pipeline.ChatAsync(new ChatRequest("go"), cts.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        handler.Calls.Should().Be(1);
        metrics.Of(ToolInvocationTelemetry.ToolCalls).Should().BeEmpty();
    }

    [Fact]
    public async Task A_stream_abandoned_in_the_middle_of_the_loop_ends_every_span()
    {
        using var collector = new ActivityCollector();
        var handler = new ScriptedHandler(
            Turn.Call("Looking it up now", new ToolCallPart("e1", "echo", """{"text":"x"}""")),
            Turn.Say("found it after all"));
        using (collector.StartRoot())
        {
            var pipeline = handler.AsBuilder().UseTracing().UseToolInvocation(Echo()).Build();
            await foreach (var update in pipeline.StreamChatAsync(new ChatRequest("go"), Token))
            {
                if (update.TextDelta is not null)
                {
                    break;
                }
            }
        }

        handler.Calls.Should().Be(1);
        collector.Started.Should().NotBeEmpty();
        collector.Stopped.Should().HaveCount(collector.Started.Count);
        collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName).Status.Should().NotBe(ActivityStatusCode.Error, "abandoning is not a failure");
    }

    [Fact]
    public async Task Concurrent_tool_spans_are_siblings_under_the_loop_span_in_call_order()
    {
        var bothStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        async Task<string> Rendezvous()
        {
            if (Interlocked.Increment(ref started) == 2)
            {
                bothStarted.SetResult();
            }

            await bothStarted.Task.WaitAsync(TimeSpan.FromSeconds(30), Token);
            return "ok";
        }

        using var collector = new ActivityCollector();
        using (collector.StartRoot())
        {
            var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("a1", "tool_a", "{}"), new ToolCallPart("b1", "tool_b", "{}")), Turn.Say("done"));
            var pipeline = handler.AsBuilder().UseToolInvocation(o =>
            {
                o.AllowConcurrentInvocation = true;
                o.Tools.Add(AIFunctionFactory.Create(Rendezvous, "tool_a"));
                o.Tools.Add(AIFunctionFactory.Create(Rendezvous, "tool_b"));
            }).UseTracing().Build();
            await pipeline.ChatAsync(new ChatRequest("go"), Token);
        }

        var loop = collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName);
        collector.Started.Where(a => a.ParentSpanId == loop.SpanId).Select(a => a.DisplayName)
            .Should().Equal("chat gpt-test", "execute_tool tool_a", "execute_tool tool_b", "chat gpt-test");
    }

    [Fact]
    public async Task UseToolInvocation_takes_the_meter_from_the_services_IMeterFactory()
    {
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        await using var _ = services;
        var pipeline = new ScriptedHandler(Turn.Say("hi")).AsBuilder().UseToolInvocation(Echo()).Build(services);

        var middleware = pipeline.Middlewares.OfType<ToolInvocationMiddleware>().Single();

        middleware.Meter.Should().NotBeSameAs(MelleaTelemetry.Meter);
        middleware.Meter.Name.Should().Be(MelleaTelemetry.MeterName);
        new ToolInvocationMiddleware(new ToolInvocationOptions()).Meter.Should().BeSameAs(MelleaTelemetry.Meter);
    }

    [Fact]
    public async Task A_listener_that_throws_when_spans_end_never_breaks_the_tool_loop()
    {
        using var rootSource = new ActivitySource("Mellea.Tests.ThrowingRoot." + Guid.NewGuid().ToString("N"));
        ActivityTraceId trace = default;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source == rootSource || source.Name == MelleaTelemetry.ApplicationSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Source == rootSource || options.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = activity =>
            {
                if (activity.TraceId == trace && activity.Source.Name == MelleaTelemetry.ApplicationSourceName)
                {
                    throw new InvalidOperationException("exporter down");
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var calls = new List<string>();
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("e1", "echo", """{"text":"x"}""")), Turn.Say("done"));
        var pipeline = handler.AsBuilder().UseToolInvocation(AIFunctionFactory.Create((string text) => { calls.Add(text); return text; }, "echo")).Build();

        ChatResponse response;
        using (var root = rootSource.StartActivity("root")!)
        {
            trace = root.TraceId;
            response = await pipeline.ChatAsync(new ChatRequest("go"), Token);
        }

        response.Text.Should().Be("done");
        calls.Should().Equal("x");
        ((ToolResultPart)handler.Requests.Last().Messages[2].Parts[0]).IsError.Should().BeFalse();
    }

    [Fact]
    public async Task Configuration_can_list_the_tools_middleware_whose_tools_are_the_registered_AIFunctions()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Mellea:Backend"] = "scripted",
            ["Mellea:Middlewares:0"] = "tools",
        }).Build();
        var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("e1", "echo", """{"text":"x"}"""), new ToolCallPart("u1", "upper", """{"text":"y"}""")), Turn.Say("done"));
        var services = new ServiceCollection();
        services.AddSingleton(Echo());
        services.AddGenerationBackend("scripted", (_, _) => handler);
        services.AddMelleaToolInvocation(o => o.Tools.Add(AIFunctionFactory.Create((string text) => text.ToUpperInvariant(), "upper")));
        services.AddMellea(configuration);
        await using var provider = services.BuildServiceProvider();

        var response = await provider.GetRequiredService<IGenerationHandler>().ChatAsync(new ChatRequest("go"), Token);

        response.Text.Should().Be("done");
        handler.Requests.First().Options!.Tools!.Select(t => t.Name).Should().Equal("echo", "upper");
        handler.Requests.Last().Messages.Skip(2).Select(m => ((ToolResultPart)m.Parts[0]).Result).Should().Equal("x", "Y");
    }

    private static long Allocated<T>(Func<ValueTask<T>> call)
    {
        for (var i = 0; i < 200; i++)
        {
            CallSynchronously(call);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            CallSynchronously(call);
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    private static void CallSynchronously<T>(Func<ValueTask<T>> call)
    {
        var pending = call();
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The handler answers synchronously; the pipeline should too.");
        }

        _ = pending.Result;
    }

    /// <summary>Answers at once with cached objects, so any allocation measured is the pipeline's.</summary>
    private sealed class SynchronousHandler : IGenerationHandler
    {
        private static readonly GenerationMetadata Metadata = new() { ProviderName = "openai", FinishReasons = [FinishReason.Normalize("stop")] };
        private readonly ValueTask<ChatResponse> _chat = new(new ChatResponse("hello", Metadata));
        private readonly ValueTask<RawCompletionResponse> _raw = new(new RawCompletionResponse([new RawCompletion(0, "r")], Metadata));

        public GenerationHandlerInfo Info { get; } = new("openai", new Uri("http://127.0.0.1:1"), "gpt-test");

        public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) => _chat;

        public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) => _raw;
    }
}
