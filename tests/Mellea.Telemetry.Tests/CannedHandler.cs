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

    /// <summary>A pipeline whose one middleware opens a generation span named <paramref name="spanName"/> around each call.</summary>
    public static GenerationPipeline PipelineWithSpan(string spanName) =>
        new CannedHandler().AsBuilder()
            .Use(async (context, next) =>
            {
                using var span = MelleaTelemetry.GenerationSource.StartActivity(spanName, System.Diagnostics.ActivityKind.Client);
                await next(context);
            })
            .Build();
}
