namespace Mellea.Backends.Ollama;

/// <summary>The keys this backend writes into <see cref="GenerationMetadata.ProviderExtras"/>. Durations are Ollama's integer nanoseconds.</summary>
public static class OllamaExtras
{
    /// <summary>The whole call's duration, in nanoseconds (<c>total_duration</c>).</summary>
    public const string TotalDurationNs = "ollama.total_duration_ns";

    /// <summary>The time spent loading the model, in nanoseconds (<c>load_duration</c>).</summary>
    public const string LoadDurationNs = "ollama.load_duration_ns";

    /// <summary>The time spent on the prompt, in nanoseconds (<c>prompt_eval_duration</c>).</summary>
    public const string PromptEvalDurationNs = "ollama.prompt_eval_duration_ns";

    /// <summary>The time spent generating, in nanoseconds (<c>eval_duration</c>).</summary>
    public const string EvalDurationNs = "ollama.eval_duration_ns";

    /// <summary>The raw <c>done_reason</c> (<c>stop</c>, <c>length</c>, <c>load</c>, <c>unload</c>).</summary>
    public const string DoneReason = "ollama.done_reason";
}
