using System.Text.Json;
using Mellea.Testing;

namespace Mellea.Tracing.Tests;

public sealed class PromptTemplateAttributeTests
{
    private const string VariableMarker = "VARIABLE-MARKER-55d1";

    private static readonly PromptTemplate Template = new(
        "support-answer",
        "Answer the customer {customer}: {question}",
        new Dictionary<string, string> { ["customer"] = VariableMarker, ["question"] = $"why {VariableMarker}?" },
        version: "3");

    [Fact]
    public async Task Name_version_and_template_text_are_always_recorded_but_variables_never_without_capture()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder()
            .UseTracing(o => o.Environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>()))
            .Build();

        await pipeline.ChatAsync(ChatRequest.FromTemplate(Template));

        var span = collector.GenerationSpans.Single();
        span.GetTagItem(GenAiAttributes.PromptName).Should().Be("support-answer");
        span.GetTagItem(GenAiAttributes.PromptVersion).Should().Be("3");
        span.GetTagItem(GenAiAttributes.LlmPromptTemplate).Should().Be("Answer the customer {customer}: {question}");
        span.GetTagItem(GenAiAttributes.LlmPromptTemplateVersion).Should().Be("3");
        span.GetTagItem(GenAiAttributes.LlmPromptTemplateVariables).Should().BeNull();
        span.TagObjects.Should().NotContain(t => t.Key.StartsWith(GenAiAttributes.PromptVariablePrefix, StringComparison.Ordinal));
        span.TagObjects.Should().NotContain(t => t.Value != null && t.Value.ToString()!.Contains(VariableMarker), "a variable's value never appears with capture off");
    }

    [Fact]
    public async Task With_capture_on_each_variable_and_the_variables_json_are_recorded()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing(o => o.CaptureContent = true).Build();

        await pipeline.CompleteRawAsync(new RawCompletionRequest([Template.Render()]) { PromptTemplate = Template });

        var span = collector.GenerationSpans.Single();
        span.GetTagItem(GenAiAttributes.PromptVariablePrefix + "customer").Should().Be(VariableMarker);
        span.GetTagItem(GenAiAttributes.PromptVariablePrefix + "question").Should().Be($"why {VariableMarker}?");
        using var json = JsonDocument.Parse((string)span.GetTagItem(GenAiAttributes.LlmPromptTemplateVariables)!);
        json.RootElement.GetProperty("customer").GetString().Should().Be(VariableMarker);
    }

    [Fact]
    public async Task A_request_without_a_template_has_no_template_attributes_and_the_remaining_request_attributes_are_set()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();
        var schema = JsonDocument.Parse("""{"type":"object"}""").RootElement;

        await pipeline.ChatAsync(new ChatRequest(
            [ChatMessage.System("s"), ChatMessage.User("u"), ChatMessage.Assistant("a"), ChatMessage.User("u2")],
            new GenerationOptions { Tools = [new ToolDefinition("a"), new ToolDefinition("b"), new ToolDefinition("c")], ResponseFormat = ResponseFormat.ForJsonSchema("Invoice", schema) }));
        await pipeline.ChatAsync(new ChatRequest("plain", new GenerationOptions { ResponseFormat = ResponseFormat.Json }));

        var first = collector.GenerationSpans[0];
        first.GetTagItem(GenAiAttributes.PromptName).Should().BeNull();
        first.GetTagItem(GenAiAttributes.LlmPromptTemplate).Should().BeNull();
        first.GetTagItem(GenAiAttributes.MelleaRequestContextSize).Should().Be(4);
        first.GetTagItem(GenAiAttributes.MelleaRequestTools).Should().Be(3);
        first.GetTagItem(GenAiAttributes.MelleaRequestFormatType).Should().Be("Invoice");
        var second = collector.GenerationSpans[1];
        second.GetTagItem(GenAiAttributes.MelleaRequestFormatType).Should().BeNull("only a JSON-schema format has a name");
        second.GetTagItem(GenAiAttributes.OutputType).Should().Be("json");
        second.GetTagItem(GenAiAttributes.MelleaRequestTools).Should().BeNull();
    }
}
