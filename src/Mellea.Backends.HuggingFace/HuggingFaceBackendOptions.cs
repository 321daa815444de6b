namespace Mellea.Backends.HuggingFace;

/// <summary>
/// Settings of <see cref="HuggingFaceBackend"/>. Every property is optional: the token falls back to <c>HF_TOKEN</c>, the base URL to
/// <c>HF_BASE_URL</c>, then the Inference Providers router <c>https://router.huggingface.co/v1</c>.
/// </summary>
public sealed class HuggingFaceBackendOptions
{
    /// <summary>The environment variable of the token.</summary>
    public const string TokenVariable = "HF_TOKEN";

    /// <summary>The environment variable of the base URL.</summary>
    public const string BaseUrlVariable = "HF_BASE_URL";

    /// <summary>The base URL used when neither the options nor the environment set one: the Inference Providers router.</summary>
    public const string DefaultBaseUrl = "https://router.huggingface.co/v1";

    /// <summary>The Hugging Face token (<c>hf_…</c>), sent as <c>Authorization: Bearer</c>. Falls back to <c>HF_TOKEN</c>; a local TGI needs none.</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The server: the router (<c>https://router.huggingface.co/v1</c>), an Inference Endpoint or a TGI server (<c>http://localhost:8080</c>,
    /// with or without <c>/v1</c>). Chat goes to <c>…/v1/chat/completions</c>; raw batches to TGI's <c>…/generate</c> at the server root.
    /// Falls back to <c>HF_BASE_URL</c>, then <see cref="DefaultBaseUrl"/>.
    /// </summary>
    public string? BaseUrl { get; set; }

    /// <summary>The model used when a request names none (on the router, <c>"&lt;model-id&gt;:&lt;provider&gt;"</c> picks a provider).</summary>
    public string? Model { get; set; }

    /// <summary>How many prompts of a raw batch are in flight at once. At least 1; 4 when unset.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// Sends raw batches as one OpenAI-compatible <c>/v1/completions</c> call with a prompt array instead of one TGI <c>/generate</c> per prompt.
    /// Off by default: <c>/generate</c> reports finish reasons and token counts per prompt.
    /// </summary>
    public bool UseCompletionsForRawBatch { get; set; }

    /// <summary>
    /// Whether a JSON response format is sent in TGI's grammar form (<c>{"type":"json_object","value":schema}</c>) rather than OpenAI's
    /// <c>json_schema</c>. <see langword="null"/> (the default) picks TGI's form unless the base URL is the router, whose providers speak OpenAI's.
    /// </summary>
    public bool? UseTgiResponseFormat { get; set; }

    /// <summary>Returns a copy.</summary>
    public HuggingFaceBackendOptions Clone() => new()
    {
        ApiKey = ApiKey,
        BaseUrl = BaseUrl,
        Model = Model,
        MaxConcurrency = MaxConcurrency,
        UseCompletionsForRawBatch = UseCompletionsForRawBatch,
        UseTgiResponseFormat = UseTgiResponseFormat,
    };

    /// <inheritdoc/>
    public override string ToString() => $"HuggingFaceBackendOptions(base={BaseUrl ?? "(env or default)"}, model={Model ?? "(unset)"}, token={(ApiKey is null ? "unset" : "set")})";
}
