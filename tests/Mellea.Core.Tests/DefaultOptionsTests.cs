using Moq;

namespace Mellea.Core.Tests;

public sealed class DefaultOptionsTests
{
    [Fact]
    public async Task Unset_model_and_options_are_filled_and_set_ones_win()
    {
        var handler = TestData.Handler();
        ChatRequest? seen = null;
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Callback((ChatRequest r, CancellationToken _) => seen = r)
            .ReturnsAsync(TestData.ChatResponse());
        var pipeline = handler.Object.AsBuilder()
            .UseDefaultOptions(o =>
            {
                o.ModelId = "default-model";
                o.Temperature = 0.2;
                o.MaxOutputTokens = 100;
                o.StopSequences = ["END"];
                o.AdditionalProperties = new Dictionary<string, object?> { ["a"] = 1, ["b"] = 2 };
            })
            .Build();
        var callerOptions = new GenerationOptions { Temperature = 0.9, AdditionalProperties = new Dictionary<string, object?> { ["b"] = 20 } };
        var request = new ChatRequest("hi", callerOptions);

        await pipeline.ChatAsync(request);

        seen!.Options!.ModelId.Should().Be("default-model");
        seen.Options.Temperature.Should().Be(0.9);
        seen.Options.MaxOutputTokens.Should().Be(100);
        seen.Options.StopSequences.Should().Equal("END");
        seen.Options.AdditionalProperties.Should().Contain("a", 1).And.Contain("b", 20);
        request.Options.Should().BeSameAs(callerOptions);
        callerOptions.ModelId.Should().BeNull("the caller's options are never changed");
        callerOptions.AdditionalProperties.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_request_without_options_gets_the_defaults_on_raw_batches_too()
    {
        var handler = TestData.Handler();
        RawCompletionRequest? seen = null;
        handler.Setup(h => h.CompleteRawAsync(It.IsAny<RawCompletionRequest>(), It.IsAny<CancellationToken>()))
            .Callback((RawCompletionRequest r, CancellationToken _) => seen = r)
            .ReturnsAsync(TestData.RawResponse());
        var pipeline = handler.Object.AsBuilder().UseDefaultOptions(new GenerationOptions { ModelId = "m", Seed = 7 }).Build();

        await pipeline.CompleteRawAsync(TestData.Raw("p"));

        seen!.Options!.ModelId.Should().Be("m");
        seen.Options.Seed.Should().Be(7);
    }

    [Fact]
    public async Task A_complete_request_passes_through_unchanged()
    {
        var handler = TestData.Handler();
        ChatRequest? seen = null;
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Callback((ChatRequest r, CancellationToken _) => seen = r)
            .ReturnsAsync(TestData.ChatResponse());
        var pipeline = handler.Object.AsBuilder().UseDefaultOptions(new GenerationOptions { ModelId = "m" }).Build();
        var request = new ChatRequest("hi", new GenerationOptions { ModelId = "mine" });

        await pipeline.ChatAsync(request);

        seen.Should().BeSameAs(request);
    }

    [Fact]
    public async Task Defaults_are_copied_when_the_middleware_is_built()
    {
        var handler = TestData.Handler();
        ChatRequest? seen = null;
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Callback((ChatRequest r, CancellationToken _) => seen = r)
            .ReturnsAsync(TestData.ChatResponse());
        var defaults = new GenerationOptions { ModelId = "before" };
        var pipeline = handler.Object.AsBuilder().UseDefaultOptions(defaults).Build();
        defaults.ModelId = "after";

        await pipeline.ChatAsync(TestData.Chat());

        seen!.Options!.ModelId.Should().Be("before");
    }
}
