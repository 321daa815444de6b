using System.Diagnostics;
using Mellea.Testing;

namespace Mellea.Tracing.Tests;

/// <summary>Every path ends its span exactly once, restores Activity.Current, and keeps model, provider and server on the span.</summary>
public sealed class SpanLifecycleTests
{
    public static TheoryData<GenerationOperation, Behaviour> Paths()
    {
        var data = new TheoryData<GenerationOperation, Behaviour>();
        foreach (var operation in Enum.GetValues<GenerationOperation>())
        {
            foreach (var behaviour in Enum.GetValues<Behaviour>())
            {
                if (behaviour == Behaviour.Abandon && operation != GenerationOperation.StreamChat)
                {
                    continue;
                }

                data.Add(operation, behaviour);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Every_path_ends_one_span_with_the_right_outcome(GenerationOperation operation, Behaviour behaviour)
    {
        using var collector = new ActivityCollector(CannedHandler.Http.Name);
        using var root = collector.StartRoot();
        var handler = new CannedHandler();
        using var cts = new CancellationTokenSource();
        var builder = handler.AsBuilder().UseTracing();
        switch (behaviour)
        {
            case Behaviour.ErrorBeforeSend:
                handler.FailBeforeSend = () => new GenerationException(ErrorCategory.Auth, "no key") { StatusCode = 401 };
                break;
            case Behaviour.ErrorMidway:
                handler.FailMidway = () => new GenerationException(ErrorCategory.ServerError, "upstream died") { StatusCode = 503 };
                break;
            case Behaviour.Cancel:
                if (operation == GenerationOperation.StreamChat)
                {
                    handler.Cancellation = cts;
                }
                else
                {
                    await cts.CancelAsync();
                }

                break;
            case Behaviour.Precomputed:
                builder.Use(Precomputed);
                break;
        }

        var pipeline = builder.Build();
        Exception? thrown = null;
        try
        {
            await Run(pipeline, operation, behaviour, cts.Token);
        }
        catch (Exception ex)
        {
            thrown = ex;
        }

        Activity.Current.Should().BeSameAs(root, "the caller's current activity is restored on every path");
        var span = collector.GenerationSpans.Should().ContainSingle().Subject;
        collector.Started.Count.Should().Be(collector.Stopped.Count, "no span is left open");
        span.IsStopped.Should().BeTrue();
        span.Parent.Should().BeSameAs(root);
        span.DisplayName.Should().Be(operation == GenerationOperation.RawCompletion ? "text_completion granite-3-8b" : "chat granite-3-8b");
        span.Kind.Should().Be(ActivityKind.Client);
        span.GetTagItem(GenAiAttributes.RequestModel).Should().Be("granite-3-8b");
        span.GetTagItem(GenAiAttributes.ProviderName).Should().Be("ollama");
        span.GetTagItem(GenAiAttributes.ServerAddress).Should().Be("127.0.0.1");
        span.GetTagItem(GenAiAttributes.ServerPort).Should().Be(11434);

        var (outcome, isError) = behaviour switch
        {
            Behaviour.ErrorBeforeSend or Behaviour.ErrorMidway => ("failed", true),
            Behaviour.Cancel => ("cancelled", false),
            Behaviour.Abandon => ("abandoned", false),
            // A completed span has no outcome, like error.type: only calls that did not complete say how they ended.
            _ => ((string?)null, false),
        };
        span.GetTagItem(GenAiAttributes.MelleaOutcome).Should().Be(outcome);
        if (isError)
        {
            thrown.Should().BeOfType<GenerationException>();
            span.Status.Should().Be(ActivityStatusCode.Error);
            span.StatusDescription.Should().Be(thrown!.Message);
            span.GetTagItem(GenAiAttributes.ErrorType).Should().Be(behaviour == Behaviour.ErrorBeforeSend ? "401" : "503");
            span.GetTagItem(GenAiAttributes.MelleaErrorCategory).Should().Be(behaviour == Behaviour.ErrorBeforeSend ? "auth" : "server_error");
            span.Events.Should().Contain(e => e.Name == "exception");
        }
        else
        {
            span.Status.Should().Be(ActivityStatusCode.Unset);
            span.GetTagItem(GenAiAttributes.ErrorType).Should().BeNull();
            if (behaviour == Behaviour.Cancel)
            {
                thrown.Should().BeAssignableTo<OperationCanceledException>();
            }
            else
            {
                thrown.Should().BeNull();
            }
        }

        if (behaviour is Behaviour.Success)
        {
            span.GetTagItem(GenAiAttributes.ResponseId).Should().Be("chatcmpl-42");
            handler.SeenParents.Should().NotBeEmpty().And.OnlyContain(parent => parent == span, "the backend's HTTP spans are children of the generation span");
        }
    }

    [Fact]
    public async Task Sequential_calls_produce_sibling_spans()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("one"));
        await TestStreams.Drain(pipeline.StreamChatAsync(new ChatRequest("two")));
        await pipeline.ChatAsync(new ChatRequest("three"));

        collector.GenerationSpans.Should().HaveCount(3).And.OnlyContain(s => s.Parent == root);
    }

    [Fact]
    public async Task Two_hundred_concurrent_calls_never_mix_attributes()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler().AsBuilder().UseTracing().Build();

        await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            var request = new ChatRequest($"q{i}", new GenerationOptions { ModelId = $"model-{i}", Seed = i });
            if (i % 2 == 0)
            {
                await pipeline.ChatAsync(request);
            }
            else
            {
                await TestStreams.Drain(pipeline.StreamChatAsync(request));
            }
        }));

        var spans = collector.GenerationSpans;
        spans.Should().HaveCount(200);
        foreach (var span in spans)
        {
            var seed = (long)span.GetTagItem(GenAiAttributes.RequestSeed)!;
            span.GetTagItem(GenAiAttributes.RequestModel).Should().Be($"model-{seed}");
            span.DisplayName.Should().Be($"chat model-{seed}");
            (span.GetTagItem(GenAiAttributes.RequestStream) is true).Should().Be(seed % 2 == 1);
            span.Parent.Should().BeSameAs(root);
        }
    }

    [Fact]
    public async Task Work_inside_a_stream_is_parented_under_the_generation_span_for_the_whole_enumeration()
    {
        using var collector = new ActivityCollector(CannedHandler.Http.Name);
        using var root = collector.StartRoot();
        var handler = new CannedHandler { Text = "a b c d e" };
        Activity? seenByInnerMiddleware = null;
        var pipeline = handler.AsBuilder()
            .UseTracing()
            .Use(async (context, next) =>
            {
                seenByInnerMiddleware = Activity.Current;
                await next(context);
            })
            .Build();

        await foreach (var update in pipeline.StreamChatAsync(new ChatRequest("go")))
        {
            Activity.Current.Should().BeSameAs(root);
        }

        var span = collector.GenerationSpans.Single();
        seenByInnerMiddleware.Should().BeSameAs(span);
        handler.SeenParents.Should().HaveCount(5).And.OnlyContain(p => p == span);
    }

    [Fact]
    public async Task A_span_is_named_by_the_operation_alone_when_no_model_is_known()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new CannedHandler(defaultModel: null).AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));
        await pipeline.ChatAsync(new ChatRequest("hi", new GenerationOptions { ModelId = "gpt-4o-mini" }));

        collector.GenerationSpans.Select(s => s.DisplayName).Should().Equal("chat", "chat gpt-4o-mini");
    }

    [Fact]
    public async Task A_handler_that_returns_a_finished_value_still_gets_a_complete_span()
    {
        using var collector = new ActivityCollector();
        using var root = collector.StartRoot();
        var pipeline = new FinishedValueHandler().AsBuilder().UseTracing().Build();

        await pipeline.ChatAsync(new ChatRequest("hi"));
        await pipeline.CompleteRawAsync(new RawCompletionRequest(["x"]));

        collector.GenerationSpans.Should().HaveCount(2).And.OnlyContain(s => s.IsStopped && s.GetTagItem(GenAiAttributes.MelleaOutcome) == null);
        collector.Started.Count.Should().Be(collector.Stopped.Count);
    }

    [Fact]
    public async Task When_a_sampler_drops_the_span_every_call_still_completes_once_and_nothing_is_made_current()
    {
        // A model name of this test's own, so that the sampler counts only this test's spans while others run in parallel.
        var model = $"sampled-out-{Guid.NewGuid():N}";
        var asked = 0;
        using var dropping = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MelleaTelemetry.GenerationSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
            {
                if (options.Name.EndsWith(model, StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref asked);
                }

                return ActivitySamplingResult.None;
            },
        };
        ActivitySource.AddActivityListener(dropping);
        var handlerCalls = 0;
        var seen = new List<(Activity? Current, Activity? Generation)>();
        var pipeline = new CannedHandler { Text = "a b" }.AsBuilder()
            .UseTracing(o =>
            {
                o.CaptureContent = true;
                o.ChunkEvents = true;
            })
            .Use(async (context, next) =>
            {
                handlerCalls++;
                seen.Add((Activity.Current, context.GenerationActivity));
                await next(context);
            })
            .Build();
        var request = new ChatRequest("x", new GenerationOptions { ModelId = model });

        var answer = await pipeline.ChatAsync(request);
        var updates = await TestStreams.Drain(pipeline.StreamChatAsync(request));

        answer.Text.Should().Be("a b");
        updates.Select(u => u.TextDelta).Should().Equal("a", " b", null);
        asked.Should().Be(2, "the middleware asked the sampler once per call");
        handlerCalls.Should().Be(2, "a dropped span never runs the call twice");
        seen.Should().OnlyContain(s => s.Current == null && s.Generation == null);
    }

    private static ValueTask Precomputed(GenerationContext context, GenerationDelegate next) =>
        context.Operation switch
        {
            GenerationOperation.Chat => Set(() => context.ChatResponse = new ChatResponse("cached", CannedHandler.Metadata())),
            GenerationOperation.RawCompletion => Set(() => context.RawResponse = new RawCompletionResponse([new RawCompletion(0, "cached")], CannedHandler.Metadata())),
            _ => WriteCached(context),
        };

    private static ValueTask Set(Action set)
    {
        set();
        return default;
    }

    private static async ValueTask WriteCached(GenerationContext context)
    {
        await context.Updates.WriteAsync(new ChatResponseUpdate { TextDelta = "cached" });
        await context.Updates.WriteAsync(new ChatResponseUpdate { Metadata = CannedHandler.Metadata(streamed: true) });
    }

    private static async Task Run(GenerationPipeline pipeline, GenerationOperation operation, Behaviour behaviour, CancellationToken token)
    {
        switch (operation)
        {
            case GenerationOperation.Chat:
                await pipeline.ChatAsync(new ChatRequest("hi"), token);
                break;
            case GenerationOperation.RawCompletion:
                await pipeline.CompleteRawAsync(new RawCompletionRequest(["a", "b"]), token);
                break;
            default:
                await foreach (var update in pipeline.StreamChatAsync(new ChatRequest("hi"), token))
                {
                    if (behaviour == Behaviour.Abandon)
                    {
                        break;
                    }
                }

                break;
        }
    }

    private sealed class FinishedValueHandler : IGenerationHandler
    {
        public GenerationHandlerInfo Info { get; } = new("ollama", new Uri("http://127.0.0.1:11434"), "granite-3-8b");

        public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
            new(new ChatResponse("precomputed", CannedHandler.Metadata()));

        public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
            new(new RawCompletionResponse([new RawCompletion(0, "precomputed")], CannedHandler.Metadata()));
    }
}

internal static class TestStreams
{
    public static async Task<List<ChatResponseUpdate>> Drain(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            list.Add(update);
        }

        return list;
    }
}
