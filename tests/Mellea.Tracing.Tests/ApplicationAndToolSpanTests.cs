using System.Diagnostics;
using Mellea.Testing;

namespace Mellea.Tracing.Tests;

public sealed class ApplicationAndToolSpanTests
{
    [Fact]
    public async Task Tool_spans_carry_the_semconv_attributes_and_content_only_when_allowed()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var noContent = new TracingOptions { Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>()) };

        using (var span = MelleaTracing.StartToolExecution("get_weather", "call-1", "Weather by city", """{"city":"Paris"}""", noContent))
        {
            await Task.Yield();
            span.SetResult("""{"temp":21}""");
        }

        using (var span = MelleaTracing.StartToolExecution("get_weather", "call-2", null, """{"city":"Oslo"}""", new TracingOptions { CaptureContent = true }))
        {
            span.SetResult("""{"temp":3}""");
        }

        var spans = collector.Stopped.Where(a => a.OperationName.StartsWith("execute_tool", StringComparison.Ordinal)).ToList();
        spans.Should().HaveCount(2);
        var first = spans[0];
        first.DisplayName.Should().Be("execute_tool get_weather");
        first.Kind.Should().Be(ActivityKind.Internal);
        first.Source.Name.Should().Be(MelleaTelemetry.ApplicationSourceName);
        first.Parent.Should().BeSameAs(root);
        first.GetTagItem(GenAiAttributes.OperationName).Should().Be("execute_tool");
        first.GetTagItem(GenAiAttributes.ToolName).Should().Be("get_weather");
        first.GetTagItem(GenAiAttributes.ToolCallId).Should().Be("call-1");
        first.GetTagItem(GenAiAttributes.ToolType).Should().Be("function");
        first.GetTagItem(GenAiAttributes.ToolDescription).Should().Be("Weather by city");
        first.GetTagItem(GenAiAttributes.ToolCallArguments).Should().BeNull();
        first.GetTagItem(GenAiAttributes.ToolCallResult).Should().BeNull();
        spans[1].GetTagItem(GenAiAttributes.ToolCallArguments).Should().Be("""{"city":"Oslo"}""");
        spans[1].GetTagItem(GenAiAttributes.ToolCallResult).Should().Be("""{"temp":3}""");
    }

    [Fact]
    public void A_failing_tool_gets_the_error_recipe()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();

        using (var span = MelleaTracing.StartToolExecution("divide"))
        {
            span.SetError(new DivideByZeroException("zero"));
        }

        var tool = collector.Stopped.Single(a => a.DisplayName == "execute_tool divide");
        tool.Status.Should().Be(ActivityStatusCode.Error);
        tool.StatusDescription.Should().Be("zero");
        tool.GetTagItem(GenAiAttributes.ErrorType).Should().Be("System.DivideByZeroException");
        tool.Events.Should().Contain(e => e.Name == "exception");
    }

    [Fact]
    public async Task Application_spans_parent_the_generation_spans_inside_them()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        using (var session = MelleaTracing.StartApplicationSpan("session", [new("mellea.session.id", "s-1")]))
        {
            using var action = MelleaTracing.StartApplicationSpan("action");
            await pipeline.ChatAsync(new ChatRequest("hi"));
        }

        var sessionSpan = collector.Stopped.Single(a => a.DisplayName == "session");
        var actionSpan = collector.Stopped.Single(a => a.DisplayName == "action");
        var chat = collector.GenerationSpans.Single();
        sessionSpan.Source.Name.Should().Be(MelleaTelemetry.ApplicationSourceName);
        sessionSpan.GetTagItem("mellea.session.id").Should().Be("s-1");
        actionSpan.Parent.Should().BeSameAs(sessionSpan);
        chat.Parent.Should().BeSameAs(actionSpan);
        Activity.Current.Should().BeSameAs(root);
    }

    [Fact]
    public void Application_span_errors_follow_the_same_recipe()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();

        using (var action = MelleaTracing.StartApplicationSpan("action"))
        {
            MelleaTracing.RecordError(action, new GenerationException(ErrorCategory.RateLimit, "slow down") { StatusCode = 429 });
        }

        var span = collector.Stopped.Single(a => a.DisplayName == "action");
        span.Status.Should().Be(ActivityStatusCode.Error);
        span.StatusDescription.Should().Be("slow down");
        span.GetTagItem(GenAiAttributes.ErrorType).Should().Be("429");
        span.Events.Should().ContainSingle(e => e.Name == "exception")
            .Which.Tags.Should().Contain(new KeyValuePair<string, object?>("exception.type", typeof(GenerationException).FullName));
    }

    [Fact]
    public void The_span_helpers_refuse_bad_arguments_and_name_them()
    {
        FluentActions.Invoking(() => ConversationScope.Begin(" ")).Should().Throw<ArgumentException>().WithParameterName("conversationId");
        FluentActions.Invoking(() => MelleaTracing.StartToolExecution("")).Should().Throw<ArgumentException>().WithParameterName("toolName");
        FluentActions.Invoking(() => MelleaTracing.StartApplicationSpan(" ")).Should().Throw<ArgumentException>().WithParameterName("name");
        FluentActions.Invoking(() => MelleaTracing.RecordError(null, null!)).Should().Throw<ArgumentNullException>().WithParameterName("exception");
        using var tool = MelleaTracing.StartToolExecution("lookup");
        tool.Invoking(t => t.SetError(null!)).Should().Throw<ArgumentNullException>().WithParameterName("exception");
        ConversationScope.CurrentConversationId.Should().BeNull("a refused scope is not entered");
    }
}
