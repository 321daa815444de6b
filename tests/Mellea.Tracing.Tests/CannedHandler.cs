using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mellea.Tracing.Tests;

/// <summary>How <see cref="CannedHandler"/> behaves.</summary>
public enum Behaviour
{
    Success,
    ErrorBeforeSend,
    ErrorMidway,
    Cancel,
    Abandon,
    Precomputed,
}

/// <summary>A small scriptable backend; it starts a child activity, as HttpClient would, so parentage can be checked.</summary>
internal sealed class CannedHandler : IGenerationHandler
{
    public static readonly ActivitySource Http = new("Test.Http");

    public CannedHandler(string? defaultModel = "granite-3-8b") =>
        Info = new GenerationHandlerInfo("ollama", new Uri("http://127.0.0.1:11434"), defaultModel);

    public GenerationHandlerInfo Info { get; }

    public Func<Exception?>? FailBeforeSend { get; set; }

    public Func<Exception?>? FailMidway { get; set; }

    public Action<CancellationTokenSource>? OnFirstChunk { get; set; }

    public CancellationTokenSource? Cancellation { get; set; }

    public List<Activity?> SeenParents { get; } = [];

    public string Text { get; set; } = "hello world";

    public static GenerationMetadata Metadata(bool streamed = false) => new()
    {
        ProviderName = "ollama",
        ResponseModel = "granite-3-8b-instruct",
        ResponseId = "chatcmpl-42",
        FinishReasons = [FinishReason.Normalize("stop")],
        Usage = new UsageDetails { InputTokens = 12, OutputTokens = 7, CacheReadInputTokens = 2, CacheWriteInputTokens = 1, ReasoningOutputTokens = 3 },
        Streamed = streamed,
    };

    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        if (FailBeforeSend?.Invoke() is { } before)
        {
            throw before;
        }

        using (var http = Http.StartActivity("POST"))
        {
            SeenParents.Add(http?.Parent);
            await Task.Yield();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (FailMidway?.Invoke() is { } midway)
        {
            throw midway;
        }

        return new ChatResponse(Text, Metadata());
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (FailBeforeSend?.Invoke() is { } before)
        {
            throw before;
        }

        var words = Text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            using (var http = Http.StartActivity("read"))
            {
                SeenParents.Add(http?.Parent);
                await Task.Yield();
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (i == 1 && FailMidway?.Invoke() is { } midway)
            {
                throw midway;
            }

            yield return new ChatResponseUpdate { TextDelta = i == 0 ? words[i] : " " + words[i] };
            if (i == 0 && Cancellation is { } cts)
            {
                await cts.CancelAsync();
            }
        }

        yield return new ChatResponseUpdate { FinishReason = FinishReason.Normalize("stop"), Metadata = Metadata(streamed: true) };
    }

    public async ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default)
    {
        if (FailBeforeSend?.Invoke() is { } before)
        {
            throw before;
        }

        using (var http = Http.StartActivity("POST"))
        {
            SeenParents.Add(http?.Parent);
            await Task.Yield();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (FailMidway?.Invoke() is { } midway)
        {
            throw midway;
        }

        return new RawCompletionResponse([.. request.Prompts.Select((p, i) => new RawCompletion(i, $"done {i}", FinishReason.Normalize("length")))], Metadata());
    }
}
