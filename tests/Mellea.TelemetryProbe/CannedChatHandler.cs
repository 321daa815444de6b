using System.Runtime.CompilerServices;
using Mellea;

namespace Mellea.TelemetryProbe;

/// <summary>A backend that answers every chat with the same text and usage, so the probe needs no network but the collector.</summary>
internal sealed class CannedChatHandler : IGenerationHandler
{
    public const string ModelId = "probe-model";
    public const string AnswerText = "pong";

    public GenerationHandlerInfo Info { get; } = new("probe", new Uri("http://probe.invalid:8080"), ModelId);

    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        return ValueTask.FromResult(new ChatResponse(AnswerText, Metadata()));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Validate();
        await Task.Yield();
        yield return new ChatResponseUpdate { TextDelta = AnswerText, FinishReason = FinishReason.Normalize("stop"), Metadata = Metadata() };
    }

    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The probe only chats.");

    private static GenerationMetadata Metadata() => new()
    {
        ProviderName = "probe",
        RequestModel = ModelId,
        ResponseModel = ModelId,
        ResponseId = "probe-response",
        FinishReasons = [FinishReason.Normalize("stop")],
        Usage = new UsageDetails { InputTokens = 3, OutputTokens = 1, TotalTokens = 4 },
    };
}
