using Moq;

namespace Mellea.Core.Tests;

public sealed class ValidationTests
{
    public static TheoryData<string, Func<ChatRequest>> BadChats => new()
    {
        { "Messages", () => new ChatRequest(Array.Empty<ChatMessage>()) },
        { "Options.MaxOutputTokens", () => new ChatRequest("x", new GenerationOptions { MaxOutputTokens = -1 }) },
        { "Options.Temperature", () => new ChatRequest("x", new GenerationOptions { Temperature = 2.5 }) },
        { "Options.Temperature", () => new ChatRequest("x", new GenerationOptions { Temperature = double.NaN }) },
        { "Options.TopP", () => new ChatRequest("x", new GenerationOptions { TopP = 1.5 }) },
        { "Options.TopK", () => new ChatRequest("x", new GenerationOptions { TopK = 0 }) },
        { "Options.ChoiceCount", () => new ChatRequest("x", new GenerationOptions { ChoiceCount = 0 }) },
        { "Options.FrequencyPenalty", () => new ChatRequest("x", new GenerationOptions { FrequencyPenalty = -3 }) },
        { "Messages[0].Role", () => new ChatRequest([new ChatMessage((ChatRole)42, "x")]) },
        { "Options.Tools[0].Name", () => new ChatRequest("x", new GenerationOptions { Tools = [new ToolDefinition(" ")] }) },
        { "Options.StopSequences[0]", () => new ChatRequest("x", new GenerationOptions { StopSequences = [""] }) },
        { "Options.ModelId", () => new ChatRequest("x", new GenerationOptions { ModelId = "" }) },
        { "Options.ToolChoice", () => new ChatRequest("x", new GenerationOptions { ToolChoice = ToolChoice.Specific("missing") }) },
    };

    [Theory]
    [MemberData(nameof(BadChats))]
    public async Task A_bad_chat_request_fails_before_any_middleware_or_handler_runs_and_names_the_field(string field, Func<ChatRequest> request)
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestData.Info);
        var middlewareRan = false;
        var pipeline = handler.Object.AsBuilder().Use((c, n) =>
        {
            middlewareRan = true;
            return n(c);
        }).Build();

        var chat = async () => await pipeline.ChatAsync(request());
        var stream = () => pipeline.StreamChatAsync(request());

        (await chat.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(field);
        stream.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(field);
        middlewareRan.Should().BeFalse();
    }

    public static TheoryData<string, Func<RawCompletionRequest>> BadRaws => new()
    {
        { "Prompts", () => new RawCompletionRequest([]) },
        { "Prompts[1]", () => new RawCompletionRequest(["ok", ""]) },
        { "Prompts[0]", () => new RawCompletionRequest([null!]) },
        { "Options.MaxOutputTokens", () => new RawCompletionRequest(["ok"], new GenerationOptions { MaxOutputTokens = 0 }) },
    };

    [Theory]
    [MemberData(nameof(BadRaws))]
    public async Task A_bad_raw_batch_fails_before_any_io_and_names_the_field(string field, Func<RawCompletionRequest> request)
    {
        var handler = new Mock<IGenerationHandler>(MockBehavior.Strict);
        handler.SetupGet(h => h.Info).Returns(TestData.Info);
        var pipeline = handler.Object.AsBuilder().Build();

        var act = async () => await pipeline.CompleteRawAsync(request());

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be(field);
    }

    [Fact]
    public void A_valid_request_passes()
    {
        var request = new ChatRequest(
            [ChatMessage.System("be brief"), ChatMessage.User("hi")],
            new GenerationOptions
            {
                Temperature = 0,
                TopP = 1,
                TopK = 40,
                MaxOutputTokens = 10,
                Tools = [new ToolDefinition("lookup")],
                ToolChoice = ToolChoice.Specific("lookup"),
            });

        request.Invoking(r => r.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Null_arguments_are_rejected_at_the_public_entry_points()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Build();

        pipeline.Invoking(p => p.ChatAsync(null!)).Should().Throw<ArgumentNullException>();
        pipeline.Invoking(p => p.StreamChatAsync(null!)).Should().Throw<ArgumentNullException>();
        pipeline.Invoking(p => p.CompleteRawAsync(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new GenerationPipelineBuilder((IGenerationHandler)null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new ChatMessage(ChatRole.User, (string)null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void The_builder_refuses_a_null_middleware_and_names_the_argument()
    {
        var builder = TestData.Handler().Object.AsBuilder();
        GenerationPipelineBuilder? none = null;

        builder.Invoking(b => b.Use((IGenerationMiddleware)null!)).Should().Throw<ArgumentNullException>().WithParameterName("middleware");
        builder.Invoking(b => b.Use((Func<IServiceProvider, IGenerationMiddleware>)null!)).Should().Throw<ArgumentNullException>()
            .WithParameterName("middlewareFactory");
        builder.Invoking(b => b.Use((Func<GenerationContext, GenerationDelegate, ValueTask>)null!)).Should().Throw<ArgumentNullException>()
            .WithParameterName("middleware");
        FluentActions.Invoking(() => none!.UseTracing()).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        FluentActions.Invoking(() => none!.UseMetrics()).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        FluentActions.Invoking(() => none!.UseRetry()).Should().Throw<ArgumentNullException>().WithParameterName("builder");
        builder.Build().Middlewares.Should().BeEmpty("a refused middleware is not added");
    }
}
