using System.Runtime.CompilerServices;

namespace Mellea.Telemetry.Tests;

/// <summary>A backend that answers at once, so a test measures only what telemetry adds.</summary>
internal sealed class CannedHandler : IGenerationHandler
{
    public const string ModelId = "canned-model";

    public GenerationHandlerInfo Info { get; } = new("canned", new Uri("http://canned.invalid:8080"), ModelId);

    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(new ChatResponse("pong", new GenerationMetadata { RequestModel = ModelId, ResponseModel = ModelId }));

    public async IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await Task.Yield();
        yield return new ChatResponseUpdate { TextDelta = "pong" };
    }

    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    /// <summary>A pipeline with the real tracing and metrics middlewares around this handler.</summary>
    public static GenerationPipeline InstrumentedPipeline() =>
        new CannedHandler().AsBuilder().UseTracing().UseMetrics().Build();
}
