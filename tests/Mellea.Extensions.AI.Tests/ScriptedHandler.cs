using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Mellea.Extensions.AI.Tests;

/// <summary>One scripted model answer: text, tool calls, usage.</summary>
internal sealed record Turn(string Text, IReadOnlyList<ToolCallPart> Calls, long InputTokens = 10, long OutputTokens = 5, string? Reasoning = null)
{
    public static Turn Say(string text, long input = 10, long output = 5) => new(text, [], input, output);

    public static Turn Call(params ToolCallPart[] calls) => new(string.Empty, calls);

    public static Turn Call(string text, params ToolCallPart[] calls) => new(text, calls);
}

/// <summary>
/// An in-memory backend that answers from a script and records every request it gets. Streams split the text in words and each
/// tool call in fragments (id and name first, then the arguments in two pieces), as OpenAI does.
/// </summary>
internal sealed class ScriptedHandler : IGenerationHandler
{
    private readonly ConcurrentQueue<Turn> _turns;

    public ScriptedHandler(params Turn[] turns)
    {
        _turns = new ConcurrentQueue<Turn>(turns);
        Info = new GenerationHandlerInfo("openai", new Uri("http://127.0.0.1:8089/v1"), "gpt-test");
    }

    public GenerationHandlerInfo Info { get; }

    /// <summary>Answers every call once the script is used up (the iteration guard's model that never stops).</summary>
    public Func<Turn>? Forever { get; init; }

    public ConcurrentQueue<ChatRequest> Requests { get; } = new();

    public int Calls => Requests.Count;

    public static GenerationMetadata Metadata(Turn turn, string? model, bool streamed) => new()
    {
        ProviderName = "openai",
        RequestModel = model,
        ResponseModel = "gpt-test-2026",
        ResponseId = "resp-" + turn.Text.Length,
        FinishReasons = [FinishReason.Normalize(turn.Calls.Count > 0 ? "tool_calls" : "stop")],
        Usage = new UsageDetails { InputTokens = turn.InputTokens, OutputTokens = turn.OutputTokens, TotalTokens = turn.InputTokens + turn.OutputTokens, CacheReadInputTokens = 2, CacheWriteInputTokens = 1, ReasoningOutputTokens = 3 },
        ServerAddress = "127.0.0.1",
        ServerPort = 8089,
        Streamed = streamed,
        ProviderRequestId = "req-1",
    };

    public async ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        var turn = Next(request);
        await Task.Yield();
        var parts = new List<MessagePart>();
        if (turn.Text.Length > 0)
        {
            parts.Add(new TextPart(turn.Text));
        }

        parts.AddRange(turn.Calls);
        var metadata = Metadata(turn, request.Options?.ModelId ?? Info.DefaultModelId, streamed: false);
        return new ChatResponse([new ChatChoice(0, new ChatMessage(ChatRole.Assistant, parts), metadata.FinishReasons[0], turn.Reasoning)], metadata);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = Next(request);
        if (turn.Reasoning is not null)
        {
            yield return new ChatResponseUpdate { ReasoningDelta = turn.Reasoning };
        }

        var words = turn.Text.Length == 0 ? [] : turn.Text.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate { TextDelta = i == 0 ? words[i] : " " + words[i] };
        }

        for (var i = 0; i < turn.Calls.Count; i++)
        {
            var call = turn.Calls[i];
            var half = call.ArgumentsJson.Length / 2;
            yield return new ChatResponseUpdate { ToolCallDeltas = [new ToolCallUpdate { Index = i, CallId = call.CallId, Name = call.Name, ArgumentsDelta = string.Empty }] };
            yield return new ChatResponseUpdate { ToolCallDeltas = [new ToolCallUpdate { Index = i, ArgumentsDelta = call.ArgumentsJson[..half] }] };
            yield return new ChatResponseUpdate { ToolCallDeltas = [new ToolCallUpdate { Index = i, ArgumentsDelta = call.ArgumentsJson[half..] }] };
        }

        var metadata = Metadata(turn, request.Options?.ModelId ?? Info.DefaultModelId, streamed: true);
        yield return new ChatResponseUpdate { FinishReason = metadata.FinishReasons[0], Metadata = metadata };
    }

    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new RawCompletionResponse([new RawCompletion(0, "raw", FinishReason.Normalize("stop"))], new GenerationMetadata { ProviderName = "openai" }));

    private Turn Next(ChatRequest request)
    {
        Requests.Enqueue(request);
        if (_turns.TryDequeue(out var turn))
        {
            return turn;
        }

        return Forever?.Invoke() ?? throw new InvalidOperationException("The script has no more turns.");
    }
}
