namespace Mellea;

/// <summary>
/// What one generation did, filled the same way by every backend. The tracing and metrics middlewares read
/// their attributes from here, so a backend fills it once and every signal agrees.
/// </summary>
public sealed class GenerationMetadata
{
    /// <summary>The OTel <c>gen_ai.provider.name</c> value (<c>openai</c>, <c>ollama</c>, <c>ibm.watsonx.ai</c>, …).</summary>
    public string? ProviderName { get; set; }

    /// <summary>The model that was requested.</summary>
    public string? RequestModel { get; set; }

    /// <summary>The model that answered, as the provider reported it.</summary>
    public string? ResponseModel { get; set; }

    /// <summary>The provider's id of the response, where it has one.</summary>
    public string? ResponseId { get; set; }

    /// <summary>Why generation stopped, one entry per choice in choice order.</summary>
    public IReadOnlyList<FinishReason> FinishReasons { get; set; } = [];

    /// <summary>Token counts, or <see langword="null"/> when the provider reported none.</summary>
    public UsageDetails? Usage { get; set; }

    /// <summary>The host of the provider endpoint (<c>server.address</c>).</summary>
    public string? ServerAddress { get; set; }

    /// <summary>The port of the provider endpoint (<c>server.port</c>).</summary>
    public int? ServerPort { get; set; }

    /// <summary>Whether the answer was streamed.</summary>
    public bool Streamed { get; set; }

    /// <summary>For streams, the time from the start of the call to the first chunk.</summary>
    public TimeSpan? TimeToFirstChunk { get; set; }

    /// <summary>A cost in USD that the provider reported (LiteLLM's <c>x-litellm-response-cost</c>); preferred over a price table.</summary>
    public double? ReportedCostUsd { get; set; }

    /// <summary>The provider's request id (for support tickets), where it sent one.</summary>
    public string? ProviderRequestId { get; set; }

    /// <summary>Provider-specific facts that have no common field (durations, upstream model ids, raw stop reasons).</summary>
    public IDictionary<string, object?>? ProviderExtras { get; set; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"GenerationMetadata(provider={ProviderName}, model={ResponseModel ?? RequestModel}, id={ResponseId}, finish=[{string.Join(",", FinishReasons.Select(f => f.Value))}], {Usage})";
}
