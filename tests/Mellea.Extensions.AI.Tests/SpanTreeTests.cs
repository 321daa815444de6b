using System.Diagnostics;
using Mellea.Testing;
using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>
/// The tool loop's span tree, in both middleware orders:
/// tool middleware outside tracing: <c>orchestrate_tools</c> &gt; [chat (CLIENT), execute_tool a, execute_tool b, chat (CLIENT)];
/// tracing outside: chat (CLIENT, the whole call) &gt; <c>orchestrate_tools</c> &gt; [chat (INTERNAL, turn 1), execute_tool a, execute_tool b, chat (INTERNAL, turn 2)].
/// </summary>
public sealed class SpanTreeTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static ScriptedHandler TwoToolsThenText() => new(
        Turn.Call(new ToolCallPart("a1", "tool_a", "{}"), new ToolCallPart("b1", "tool_b", "{}")),
        Turn.Say("done", input: 30, output: 7));

    private static AIFunction[] Tools() =>
    [
        AIFunctionFactory.Create(() => "A", "tool_a", "Tool A."),
        AIFunctionFactory.Create(string () => throw new InvalidOperationException("B failed"), "tool_b"),
    ];

    private static async Task RunAsync(GenerationPipeline pipeline, bool stream)
    {
        var request = new ChatRequest("go");
        if (stream)
        {
            await foreach (var _ in pipeline.StreamChatAsync(request, Token))
            {
            }
        }
        else
        {
            await pipeline.ChatAsync(request, Token);
        }
    }

    private static List<Activity> ChildrenInStartOrder(ActivityCollector collector, Activity parent) =>
        [.. collector.Started.Where(a => a.ParentSpanId == parent.SpanId)];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_tools_outside_tracing_each_model_call_is_a_client_chat_span_under_the_loop_span(bool stream)
    {
        using var collector = new ActivityCollector();
        Activity root;
        using (root = collector.StartRoot())
        {
            var pipeline = TwoToolsThenText().AsBuilder().UseToolInvocation(Tools()).UseTracing().Build();
            await RunAsync(pipeline, stream);
        }

        var loop = collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName);
        loop.ParentSpanId.Should().Be(root.SpanId);
        loop.Source.Name.Should().Be(MelleaTelemetry.ApplicationSourceName);
        loop.Kind.Should().Be(ActivityKind.Internal);
        loop.GetTagItem(ToolInvocationTelemetry.IterationsAttribute).Should().Be(1);
        loop.GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(40L);

        var children = ChildrenInStartOrder(collector, loop);
        children.Select(a => a.DisplayName).Should().Equal("chat gpt-test", "execute_tool tool_a", "execute_tool tool_b", "chat gpt-test");
        children[0].Source.Name.Should().Be(MelleaTelemetry.GenerationSourceName);
        children[0].Kind.Should().Be(ActivityKind.Client);
        children[0].GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(10L, "each chat span reports its own turn");
        children[0].GetTagItem(GenAiAttributes.ResponseFinishReasons).Should().BeEquivalentTo(new[] { "tool_call" });
        children[3].GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(30L);
        AssertToolSpans(children[1], children[2]);
        collector.Started.Should().HaveCount(collector.Stopped.Count, "every span ends");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_tracing_outside_the_loop_span_sits_under_the_one_chat_span_and_has_a_chat_span_per_turn(bool stream)
    {
        using var collector = new ActivityCollector();
        Activity root;
        using (root = collector.StartRoot())
        {
            var pipeline = TwoToolsThenText().AsBuilder().UseTracing().UseToolInvocation(Tools()).Build();
            await RunAsync(pipeline, stream);
        }

        var outer = collector.GenerationSpans.Should().ContainSingle().Subject;
        outer.ParentSpanId.Should().Be(root.SpanId);
        outer.Kind.Should().Be(ActivityKind.Client);
        outer.GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(40L, "the logical call reports every turn's usage");
        outer.GetTagItem(GenAiAttributes.ResponseFinishReasons).Should().BeEquivalentTo(new[] { "stop" });

        var loop = collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName);
        loop.ParentSpanId.Should().Be(outer.SpanId);

        var children = ChildrenInStartOrder(collector, loop);
        children.Select(a => a.DisplayName).Should().Equal("chat gpt-test", "execute_tool tool_a", "execute_tool tool_b", "chat gpt-test");
        children[0].Source.Name.Should().Be(MelleaTelemetry.ApplicationSourceName);
        children[0].Kind.Should().Be(ActivityKind.Internal);
        children[0].GetTagItem(ToolInvocationTelemetry.TurnAttribute).Should().Be(1);
        children[0].GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(10L);
        children[0].GetTagItem(GenAiAttributes.ResponseFinishReasons).Should().BeEquivalentTo(new[] { "tool_call" });
        children[3].GetTagItem(ToolInvocationTelemetry.TurnAttribute).Should().Be(2);
        children[3].GetTagItem(GenAiAttributes.UsageInputTokens).Should().Be(30L);
        AssertToolSpans(children[1], children[2]);
        collector.Started.Should().HaveCount(collector.Stopped.Count, "every span ends");
    }

    [Fact]
    public async Task A_failing_loop_marks_the_loop_span_and_cancellation_does_not()
    {
        using var collector = new ActivityCollector();
        using (collector.StartRoot())
        {
            var handler = new ScriptedHandler { Forever = () => Turn.Call(new ToolCallPart("a", "tool_a", "{}")) };
            var pipeline = handler.AsBuilder().UseToolInvocation(o => { o.Tools.Add(Tools()[0]); o.MaximumIterations = 1; }).UseTracing().Build();
            var act = async () => await pipeline.ChatAsync(new ChatRequest("go"), Token);
            await act.Should().ThrowAsync<ToolInvocationException>();
        }

        var loop = collector.Stopped.Single(a => a.DisplayName == ToolInvocationTelemetry.LoopSpanName);
        loop.Status.Should().Be(ActivityStatusCode.Error);
        loop.GetTagItem(GenAiAttributes.ErrorType).Should().Be(typeof(ToolInvocationException).FullName);
    }

    [Fact]
    public async Task Tool_arguments_and_results_are_on_the_tool_spans_only_when_content_capture_is_on()
    {
        using var collector = new ActivityCollector();
        using (collector.StartRoot())
        {
            var echo = AIFunctionFactory.Create((string text) => text.ToUpperInvariant(), "shout");
            var quiet = new TracingOptions { Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>()) };
            foreach (var tracing in new[] { quiet, new TracingOptions { CaptureContent = true } })
            {
                var handler = new ScriptedHandler(Turn.Call(new ToolCallPart("s1", "shout", """{"text":"hi"}""")), Turn.Say("HI"));
                var pipeline = handler.AsBuilder().UseToolInvocation(o => { o.Tools.Add(echo); o.Tracing = tracing; }).Build();
                await pipeline.ChatAsync(new ChatRequest("go"), Token);
            }
        }

        var spans = collector.Stopped.Where(a => a.DisplayName == "execute_tool shout").ToList();
        spans.Should().HaveCount(2);
        spans[0].GetTagItem(GenAiAttributes.ToolCallArguments).Should().BeNull();
        spans[0].GetTagItem(GenAiAttributes.ToolCallResult).Should().BeNull();
        spans[1].GetTagItem(GenAiAttributes.ToolCallArguments).Should().Be("""{"text":"hi"}""");
        ((string)spans[1].GetTagItem(GenAiAttributes.ToolCallResult)!).Should().Contain("HI");
    }

    private static void AssertToolSpans(Activity a, Activity b)
    {
        a.Kind.Should().Be(ActivityKind.Internal);
        a.GetTagItem(GenAiAttributes.OperationName).Should().Be("execute_tool");
        a.GetTagItem(GenAiAttributes.ToolName).Should().Be("tool_a");
        a.GetTagItem(GenAiAttributes.ToolCallId).Should().Be("a1");
        a.GetTagItem(GenAiAttributes.ToolDescription).Should().Be("Tool A.");
        a.GetTagItem(ToolInvocationTelemetry.ToolStatusAttribute).Should().Be("success");
        a.Status.Should().Be(ActivityStatusCode.Unset);
        b.GetTagItem(GenAiAttributes.ToolName).Should().Be("tool_b");
        b.GetTagItem(ToolInvocationTelemetry.ToolStatusAttribute).Should().Be("failure");
        b.GetTagItem(GenAiAttributes.ErrorType).Should().Be("System.InvalidOperationException");
        b.Status.Should().Be(ActivityStatusCode.Error);
        b.Events.Should().Contain(e => e.Name == "exception");
    }
}
