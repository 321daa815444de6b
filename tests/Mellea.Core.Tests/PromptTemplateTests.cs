namespace Mellea.Core.Tests;

public sealed class PromptTemplateTests
{
    [Fact]
    public void Every_variable_is_filled()
    {
        var template = new PromptTemplate("weather", "Weather in {city} on {day.name}, in {unit_1}?", new Dictionary<string, string>
        {
            ["city"] = "Paris",
            ["day.name"] = "Monday",
            ["unit_1"] = "celsius",
        }, version: "2");

        template.Render().Should().Be("Weather in Paris on Monday, in celsius?");
    }

    [Fact]
    public void A_missing_variable_is_a_clear_error_that_names_it()
    {
        var template = new PromptTemplate("weather", "Weather in {city} on {day}", new Dictionary<string, string> { ["city"] = "Paris" });

        template.Invoking(t => t.Render()).Should().Throw<FormatException>().WithMessage("*'weather'*variable 'day'*no value*");
    }

    [Fact]
    public void Escaped_braces_are_literal_braces_and_are_never_placeholders()
    {
        var template = new PromptTemplate("json", "Answer as {{\"city\": \"{city}\"}} and {{city}}", new Dictionary<string, string> { ["city"] = "Oslo" });

        template.Render().Should().Be("Answer as {\"city\": \"Oslo\"} and {city}");
    }

    [Fact]
    public void A_value_that_contains_braces_is_inserted_as_text_and_never_expanded()
    {
        var template = new PromptTemplate("t", "Say {a}", new Dictionary<string, string> { ["a"] = "{b} and {{c}} and {0:N2}", ["b"] = "SHOULD NOT APPEAR" });

        template.Render().Should().Be("Say {b} and {{c}} and {0:N2}");
    }

    [Theory]
    [InlineData("Unclosed {city", "unclosed")]
    [InlineData("Stray } brace", "unmatched")]
    [InlineData("Code {DateTime.Now.ToString()}", "malformed")]
    [InlineData("Format {city:N2}", "malformed")]
    [InlineData("Empty {}", "malformed")]
    public void Anything_that_is_not_a_plain_placeholder_is_rejected_not_evaluated(string text, string word)
    {
        var template = new PromptTemplate("t", text, new Dictionary<string, string> { ["city"] = "Rome" });

        template.Invoking(t => t.Render()).Should().Throw<FormatException>().WithMessage($"*{word}*");
    }

    [Fact]
    public void FromTemplate_renders_the_user_message_and_keeps_the_reference_through_middleware_copies()
    {
        var template = new PromptTemplate("greet", "Hello {name}", new Dictionary<string, string> { ["name"] = "Ada" }, "1.0");

        var request = ChatRequest.FromTemplate(template, history: [ChatMessage.System("be kind")]);
        var copy = request.WithOptions(new GenerationOptions { Temperature = 0 });

        request.Messages.Select(m => m.Text).Should().Equal("be kind", "Hello Ada");
        request.Messages[^1].Role.Should().Be(ChatRole.User);
        copy.PromptTemplate.Should().BeSameAs(template);
        new RawCompletionRequest(["x"]) { PromptTemplate = template }.WithOptions(null).PromptTemplate.Should().BeSameAs(template);
    }

    [Fact]
    public void Variables_are_copied()
    {
        var variables = new Dictionary<string, string> { ["a"] = "1" };
        var template = new PromptTemplate("t", "{a}", variables);
        variables["a"] = "2";

        template.Render().Should().Be("1");
    }
}
