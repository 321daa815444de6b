using System.Runtime.CompilerServices;
using Moq;

namespace Mellea.Core.Tests;

/// <summary>Requests, responses and mocked handlers shared by the core tests.</summary>
internal static class TestData
{
    public static GenerationHandlerInfo Info { get; } = new("test-provider", new Uri("http://127.0.0.1:8080/v1"), "test-model");

    public static ChatRequest Chat(string text = "hello") => new(text);

    public static RawCompletionRequest Raw(params string[] prompts) => new(prompts.Length == 0 ? ["p0"] : prompts);

    public static GenerationMetadata Metadata(string model = "test-model") => new()
    {
        ProviderName = "test-provider",
        RequestModel = model,
        ResponseModel = model,
        ResponseId = "resp-1",
        FinishReasons = [FinishReason.Normalize("stop")],
        Usage = new UsageDetails { InputTokens = 3, OutputTokens = 5, TotalTokens = 8 },
    };

    public static ChatResponse ChatResponse(string text = "answer") => new(text, Metadata());

    public static RawCompletionResponse RawResponse(int count = 1) =>
        new([.. Enumerable.Range(0, count).Select(i => new RawCompletion(i, $"r{i}"))], Metadata());

    public static ChatResponseUpdate[] Updates(params string[] texts) =>
    [
        .. texts.Select(t => new ChatResponseUpdate { TextDelta = t }),
        new ChatResponseUpdate { FinishReason = FinishReason.Normalize("stop"), Metadata = Metadata() },
    ];

    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(
        IEnumerable<ChatResponseUpdate> updates,
        Action? onDisposed = null,
        Exception? failAfterFirst = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        try
        {
            var first = true;
            foreach (var update in updates)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return update;
                if (first && failAfterFirst is not null)
                {
                    throw failAfterFirst;
                }

                first = false;
            }
        }
        finally
        {
            onDisposed?.Invoke();
        }
    }

    public static Mock<IGenerationHandler> Handler(Action? onStreamDisposed = null)
    {
        var mock = new Mock<IGenerationHandler>(MockBehavior.Strict);
        mock.SetupGet(h => h.Info).Returns(Info);
        mock.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(async () =>
            {
                await Task.Yield();
                return ChatResponse();
            });
        mock.Setup(h => h.StreamChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ChatRequest _, CancellationToken ct) => Stream(Updates("a", "b", "c"), onStreamDisposed, cancellationToken: ct));
        mock.Setup(h => h.CompleteRawAsync(It.IsAny<RawCompletionRequest>(), It.IsAny<CancellationToken>()))
            .Returns((RawCompletionRequest r, CancellationToken _) => new ValueTask<RawCompletionResponse>(RawResponse(r.Prompts.Count)));
        return mock;
    }

    public static async Task<List<ChatResponseUpdate>> Collect(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var list = new List<ChatResponseUpdate>();
        await foreach (var update in stream)
        {
            list.Add(update);
        }

        return list;
    }

    /// <summary>Runs one operation through a pipeline and returns nothing; for theories over the three operations.</summary>
    public static async Task Run(IGenerationHandler pipeline, GenerationOperation operation)
    {
        switch (operation)
        {
            case GenerationOperation.Chat:
                await pipeline.ChatAsync(Chat());
                break;
            case GenerationOperation.StreamChat:
                await Collect(pipeline.StreamChatAsync(Chat()));
                break;
            default:
                await pipeline.CompleteRawAsync(Raw("a", "b"));
                break;
        }
    }
}

/// <summary>A middleware that writes its pre- and post-work into a shared log.</summary>
internal sealed class RecordingMiddleware(string name, List<string> log) : IGenerationMiddleware
{
    public async ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        lock (log)
        {
            log.Add($"{name}:before:{context.Operation}");
        }

        try
        {
            await next(context);
            lock (log)
            {
                log.Add($"{name}:after");
            }
        }
        catch (Exception ex)
        {
            lock (log)
            {
                log.Add($"{name}:saw:{ex.GetType().Name}");
            }

            throw;
        }
        finally
        {
            lock (log)
            {
                log.Add($"{name}:finally");
            }
        }
    }
}
