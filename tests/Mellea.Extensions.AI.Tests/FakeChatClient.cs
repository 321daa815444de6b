using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI.Tests;

/// <summary>
/// A provider Mellea does not ship, as Microsoft.Extensions.AI code would write it: it answers from a script and records what it got.
/// Streams send text in pieces, each function call whole, and the usage as a <see cref="UsageContent"/>, as MEAI's clients do.
/// </summary>
internal sealed class FakeChatClient : IChatClient
{
    private readonly Queue<Meai.ChatResponse> _responses;

    public FakeChatClient(params Meai.ChatResponse[] responses) => _responses = new Queue<Meai.ChatResponse>(responses);

    public Func<Exception>? Fail { get; set; }

    public List<(List<Meai.ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = [];

    public static Meai.ChatResponse Answer(string text, params FunctionCallContent[] calls)
    {
        var contents = new List<AIContent> { new TextReasoningContent("thinking…") };
        if (text.Length > 0)
        {
            contents.Add(new TextContent(text));
        }

        contents.AddRange(calls);
        return new Meai.ChatResponse(new Meai.ChatMessage(Meai.ChatRole.Assistant, contents))
        {
            ResponseId = "fake-1",
            ModelId = "fake-model-2026",
            FinishReason = calls.Length > 0 ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new Meai.UsageDetails
            {
                InputTokenCount = 12,
                OutputTokenCount = 8,
                TotalTokenCount = 20,
                CachedInputTokenCount = 4,
                ReasoningTokenCount = 3,
                AdditionalCounts = new AdditionalPropertiesDictionary<long> { [InteropKeys.CacheWriteInputTokens] = 2 },
            },
        };
    }

    public async Task<Meai.ChatResponse> GetResponseAsync(IEnumerable<Meai.ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(([.. messages], options));
        await Task.Yield();
        if (Fail?.Invoke() is { } failure)
        {
            throw failure;
        }

        return _responses.Dequeue();
    }

    public async IAsyncEnumerable<Meai.ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<Meai.ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add(([.. messages], options));
        await Task.Yield();
        if (Fail?.Invoke() is { } failure)
        {
            throw failure;
        }

        var response = _responses.Dequeue();
        foreach (var content in response.Messages[0].Contents)
        {
            if (content is TextContent text)
            {
                var pieces = text.Text.Split(' ');
                for (var i = 0; i < pieces.Length; i++)
                {
                    yield return new Meai.ChatResponseUpdate(Meai.ChatRole.Assistant, i == 0 ? pieces[i] : " " + pieces[i]) { ResponseId = response.ResponseId };
                }
            }
            else
            {
                yield return new Meai.ChatResponseUpdate(Meai.ChatRole.Assistant, [content]) { ResponseId = response.ResponseId };
            }
        }

        yield return new Meai.ChatResponseUpdate(Meai.ChatRole.Assistant, [new UsageContent(response.Usage!)])
        {
            ResponseId = response.ResponseId,
            ModelId = response.ModelId,
            FinishReason = response.FinishReason,
        };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("fakeai", new Uri("http://127.0.0.1:9999/api"), "fake-model") : null;

    public void Dispose()
    {
    }
}
