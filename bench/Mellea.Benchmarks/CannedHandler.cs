namespace Mellea.Benchmarks;

/// <summary>
/// A backend that answers at once from canned objects, with no I/O: every byte and nanosecond measured around it is
/// the pipeline's. The metadata looks like a real provider's (ids, model, usage, finish reason) so that tracing and
/// metrics record everything they would in production.
/// </summary>
/// <remarks>
/// One file for the benchmarks and the allocation guards: tests/Mellea.Performance.Tests compiles this file in (a linked
/// <c>Compile</c> item), so the guards and the benchmarks measure around the same handler.
/// </remarks>
internal sealed class CannedHandler : IGenerationHandler
{
    private readonly ChatResponse _response;
    private readonly ChatResponseUpdate _update = new() { TextDelta = "tok" };
    private readonly ChatResponseUpdate _final;

    public CannedHandler(int updateCount = 100)
    {
        UpdateCount = updateCount;
        _response = new ChatResponse("canned answer", Metadata(streamed: false));
        _final = new ChatResponseUpdate { FinishReason = FinishReason.Normalize("stop"), Metadata = Metadata(streamed: true) };
    }

    public int UpdateCount { get; }

    public GenerationHandlerInfo Info { get; } = new("openai", new Uri("http://127.0.0.1:8080/v1"), "gpt-4o-mini");

    public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) => new(_response);

    public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
        new CannedStream(this);

    public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    private static GenerationMetadata Metadata(bool streamed) => new()
    {
        ProviderName = "openai",
        RequestModel = "gpt-4o-mini",
        ResponseModel = "gpt-4o-mini-2024-07-18",
        ResponseId = "chatcmpl-bench",
        FinishReasons = [FinishReason.Normalize("stop")],
        Usage = new UsageDetails { InputTokens = 12, OutputTokens = 100, TotalTokens = 112 },
        ServerAddress = "127.0.0.1",
        ServerPort = 8080,
        Streamed = streamed,
        ProviderRequestId = "req_bench",
    };

    /// <summary>Completes every MoveNextAsync synchronously; one object per stream, so a stream costs 1 small allocation.</summary>
    private sealed class CannedStream(CannedHandler owner) : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
    {
        private int _index = -1;

        public ChatResponseUpdate Current => _index < owner.UpdateCount ? owner._update : owner._final;

        public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

        public ValueTask<bool> MoveNextAsync() => new(++_index <= owner.UpdateCount);

        public ValueTask DisposeAsync() => default;
    }
}
