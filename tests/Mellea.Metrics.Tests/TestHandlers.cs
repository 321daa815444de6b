using System.Runtime.CompilerServices;
using Mellea.Testing;
using Moq;

namespace Mellea.Metrics.Tests;

/// <summary>Handlers, requests and answers shared by the tests.</summary>
internal static class TestHandlers
{
    public static GenerationHandlerInfo Info(string model = "test-model") => new("openai", new Uri("https://llm.example.test:8443/v1"), model);

    public static ChatRequest Chat(string? model = null) => new("hello", model is null ? null : new GenerationOptions { ModelId = model });

    public static GenerationMetadata Metadata(string model = "test-model-2026", long? input = 3, long? output = 5, double? cost = null) => new()
    {
        ProviderName = "openai",
        RequestModel = "test-model",
        ResponseModel = model,
        Usage = input is null && output is null ? null : new UsageDetails { InputTokens = input, OutputTokens = output },
        ReportedCostUsd = cost,
    };

    public static ChatResponse Answer(GenerationMetadata? metadata = null) => new("answer", metadata ?? Metadata());

    public static GenerationException Status(int status, TimeSpan? retryAfter = null, string? code = null) =>
        new(ErrorClassifier.CategorizeStatus(status, code), $"HTTP {status}")
        {
            StatusCode = status,
            RetryAfter = retryAfter,
            ProviderErrorCode = code,
            ProviderName = "openai",
        };

    /// <summary>A mocked handler whose chat calls play <paramref name="outcomes"/> in order: an exception fails the attempt, null answers.</summary>
    public static Mock<IGenerationHandler> Sequence(params Exception?[] outcomes)
    {
        var mock = new Mock<IGenerationHandler>(MockBehavior.Strict);
        mock.SetupGet(h => h.Info).Returns(Info());
        var calls = 0;
        mock.Setup(h => h.ChatAsync(It.IsAny<ChatRequest>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                var outcome = outcomes[Math.Min(calls++, outcomes.Length - 1)];
                return outcome is null
                    ? new ValueTask<ChatResponse>(Answer())
                    : ValueTask.FromException<ChatResponse>(outcome);
            });
        return mock;
    }

    public static ChatResponseUpdate[] Updates(params string[] texts) =>
    [
        .. texts.Select(t => new ChatResponseUpdate { TextDelta = t }),
        new ChatResponseUpdate { FinishReason = FinishReason.Normalize("stop"), Metadata = Metadata() },
    ];

    /// <summary>A stream that advances <paramref name="clock"/> by <paramref name="gap"/> before each update and can fail before or after its first update.</summary>
    public static async IAsyncEnumerable<ChatResponseUpdate> Stream(
        IEnumerable<ChatResponseUpdate> updates,
        FakeTimeProvider? clock = null,
        TimeSpan gap = default,
        Exception? failBeforeFirst = null,
        Exception? failAfterFirst = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        if (failBeforeFirst is not null)
        {
            throw failBeforeFirst;
        }

        var first = true;
        foreach (var update in updates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            clock?.Advance(gap);
            yield return update;
            if (first && failAfterFirst is not null)
            {
                throw failAfterFirst;
            }

            first = false;
        }
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
}

/// <summary>A hand-written handler that answers at once and moves the clock, for exact durations (and for the allocation test: a mock allocates).</summary>
internal sealed class CannedHandler : IGenerationHandler
{
    private readonly ValueTask<ChatResponse> _answer;
    private readonly FakeTimeProvider? _clock;
    private readonly TimeSpan _takes;

    public CannedHandler(ChatResponse answer, FakeTimeProvider? clock = null, TimeSpan takes = default, GenerationHandlerInfo? info = null)
    {
        _answer = new ValueTask<ChatResponse>(answer);
        _clock = clock;
        _takes = takes;
        Info = info ?? TestHandlers.Info();
    }

    public GenerationHandlerInfo Info { get; }

    public Exception? Failure { get; set; }

    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        _clock?.Advance(_takes);
        return Failure is { } failure ? ValueTask.FromException<ChatResponse>(failure) : _answer;
    }

    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        _clock?.Advance(_takes);
        return new ValueTask<RawCompletionResponse>(new RawCompletionResponse([new RawCompletion(0, "r")], _answer.Result.Metadata));
    }
}
