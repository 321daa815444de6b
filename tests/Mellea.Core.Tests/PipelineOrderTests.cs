using Moq;

namespace Mellea.Core.Tests;

public sealed class PipelineOrderTests
{
    public static TheoryData<GenerationOperation> Operations => new()
    {
        GenerationOperation.Chat,
        GenerationOperation.StreamChat,
        GenerationOperation.RawCompletion,
    };

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task First_Use_is_outermost_and_post_work_runs_in_reverse(GenerationOperation operation)
    {
        var log = new List<string>();
        var handler = TestData.Handler();
        var pipeline = handler.Object.AsBuilder()
            .Use(new RecordingMiddleware("A", log))
            .Use(new RecordingMiddleware("B", log))
            .Use(new RecordingMiddleware("C", log))
            .Build();

        await TestData.Run(pipeline, operation);

        log.Should().Equal(
            $"A:before:{operation}", $"B:before:{operation}", $"C:before:{operation}",
            "C:after", "C:finally", "B:after", "B:finally", "A:after", "A:finally");
        pipeline.Middlewares.Should().HaveCount(3);
    }

    [Fact]
    public async Task Stream_post_work_runs_only_after_the_caller_has_taken_every_update()
    {
        var log = new List<string>();
        var pipeline = TestData.Handler().Object.AsBuilder().Use(new RecordingMiddleware("A", log)).Build();

        var seen = new List<string>();
        await foreach (var update in pipeline.StreamChatAsync(TestData.Chat()))
        {
            lock (log)
            {
                seen.Add($"{update.TextDelta ?? "final"}:{log.Count}");
            }
        }

        // The middleware's before ran once; its after had not run while updates were being handed out.
        seen.Should().Equal("a:1", "b:1", "c:1", "final:1");
        log.Should().Equal("A:before:StreamChat", "A:after", "A:finally");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task A_short_circuit_still_gets_outer_post_work_and_the_handler_is_never_called(GenerationOperation operation)
    {
        var log = new List<string>();
        var handler = TestData.Handler();
        var pipeline = handler.Object.AsBuilder()
            .Use(new RecordingMiddleware("outer", log))
            .Use(async (context, next) =>
            {
                // A cache hit: answer without calling next.
                switch (context.Operation)
                {
                    case GenerationOperation.Chat:
                        context.ChatResponse = TestData.ChatResponse("cached");
                        break;
                    case GenerationOperation.StreamChat:
                        foreach (var update in TestData.Updates("cached"))
                        {
                            await context.Updates.WriteAsync(update);
                        }

                        break;
                    default:
                        context.RawResponse = TestData.RawResponse(2);
                        break;
                }
            })
            .Use(new RecordingMiddleware("inner", log))
            .Build();

        await TestData.Run(pipeline, operation);

        log.Should().Equal($"outer:before:{operation}", "outer:after", "outer:finally");
        handler.Verify(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        handler.Verify(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()), Times.Never);
        handler.Verify(h => h.CompleteRawAsync(It.IsAny<RawCompletionRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_short_circuited_chat_returns_the_precomputed_answer()
    {
        var pipeline = TestData.Handler().Object.AsBuilder()
            .Use((context, _) =>
            {
                context.ChatResponse = TestData.ChatResponse("cached");
                return default;
            })
            .Build();

        var response = await pipeline.ChatAsync(TestData.Chat());

        response.Text.Should().Be("cached");
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task An_exception_passes_through_every_layer_and_outer_post_work_still_runs(GenerationOperation operation)
    {
        var log = new List<string>();
        var failure = new GenerationException(ErrorCategory.ServerError, "boom") { StatusCode = 500 };
        var handler = new Mock<IGenerationHandler>();
        handler.SetupGet(h => h.Info).Returns(TestData.Info);
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        handler.Setup(h => h.CompleteRawAsync(It.IsAny<RawCompletionRequest>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        handler.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(TestData.Stream(TestData.Updates("x"), failAfterFirst: failure));
        var pipeline = handler.Object.AsBuilder()
            .Use(new RecordingMiddleware("A", log))
            .Use(new RecordingMiddleware("B", log))
            .Build();

        var act = () => TestData.Run(pipeline, operation);

        (await act.Should().ThrowAsync<GenerationException>()).Which.Should().BeSameAs(failure);
        log.Should().Equal($"A:before:{operation}", $"B:before:{operation}", "B:saw:GenerationException", "B:finally", "A:saw:GenerationException", "A:finally");
    }

    [Fact]
    public async Task A_stream_abandoned_after_its_first_update_disposes_every_layer_and_the_backend_stream()
    {
        var log = new List<string>();
        var backendDisposed = false;
        var pipeline = TestData.Handler(() => backendDisposed = true).Object.AsBuilder()
            .Use(new RecordingMiddleware("A", log))
            .Use(new RecordingMiddleware("B", log))
            .Build();

        await foreach (var update in pipeline.StreamChatAsync(TestData.Chat()))
        {
            update.TextDelta.Should().Be("a");
            break;
        }

        backendDisposed.Should().BeTrue();
        log.Should().Equal(
            "A:before:StreamChat", "B:before:StreamChat",
            "B:saw:GenerationStreamAbandonedException", "B:finally",
            "A:saw:GenerationStreamAbandonedException", "A:finally");
    }

    [Fact]
    public async Task The_caller_never_sees_the_abandonment_exception()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Use((c, n) => n(c)).Build();
        var enumerator = pipeline.StreamChatAsync(TestData.Chat()).GetAsyncEnumerator();
        (await enumerator.MoveNextAsync()).Should().BeTrue();

        var dispose = async () => await enumerator.DisposeAsync();

        await dispose.Should().NotThrowAsync();
    }

    [Fact]
    public async Task Lambda_middlewares_see_the_operation_and_can_replace_the_request()
    {
        var handler = TestData.Handler();
        ChatRequest? seen = null;
        handler.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Callback((ChatRequest r, CancellationToken _) => seen = r)
            .ReturnsAsync(TestData.ChatResponse());
        var pipeline = handler.Object.AsBuilder()
            .Use((context, next) =>
            {
                context.ChatRequest = context.ChatRequest.WithOptions(new GenerationOptions { ModelId = "rewritten" });
                return next(context);
            })
            .Build();

        await pipeline.ChatAsync(TestData.Chat());

        seen!.Options!.ModelId.Should().Be("rewritten");
    }

    [Fact]
    public async Task A_middleware_that_neither_calls_next_nor_answers_gets_a_clear_error()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Use((_, _) => default).Build();

        var act = async () => await pipeline.ChatAsync(TestData.Chat());

        (await act.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*without calling next*ChatResponse*");
        var raw = async () => await pipeline.CompleteRawAsync(new RawCompletionRequest(["p"]));
        (await raw.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*without calling next*RawResponse*");
    }

    [Fact]
    public async Task A_middleware_that_writes_a_null_update_fails_the_stream_naming_the_argument()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Use(async (context, _) => await context.Updates.WriteAsync(null!)).Build();

        var act = async () => await TestData.Collect(pipeline.StreamChatAsync(TestData.Chat()));

        (await act.Should().ThrowAsync<ArgumentNullException>()).Which.ParamName.Should().Be("update");
    }

    [Fact]
    public void A_factory_that_returns_null_is_named_by_index()
    {
        var builder = TestData.Handler().Object.AsBuilder()
            .Use((c, n) => n(c))
            .Use(_ => null!);

        var act = () => builder.Build();

        act.Should().Throw<InvalidOperationException>().WithMessage("*index 1*");
    }

    [Fact]
    public void The_pipeline_reports_the_backend_info()
    {
        var pipeline = TestData.Handler().Object.AsBuilder().Build();

        pipeline.Info.Should().BeSameAs(TestData.Info);
        pipeline.Info.ServerAddress.Should().Be("127.0.0.1");
        pipeline.Info.ServerPort.Should().Be(8080);
    }
}
