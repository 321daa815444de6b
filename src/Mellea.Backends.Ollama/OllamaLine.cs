namespace Mellea.Backends.Ollama;

/// <summary>
/// One parsed NDJSON line: the update it carries, or null when it carries nothing to show.
/// </summary>
/// <remarks>
/// A struct on purpose. The JIT compiles a generic class once for every reference type it is instantiated over, so
/// <c>PulledUpdateStream&lt;ChatResponseUpdate?&gt;</c> would share one per-update loop with the OpenAI backend, profiled and
/// devirtualized for whichever stream ran more, and the other pays virtual calls on every line. Over this struct the loop is
/// compiled for Ollama alone (bench/results/analysis.md).
/// </remarks>
/// <param name="Update">The update, or null.</param>
internal readonly record struct OllamaLine(ChatResponseUpdate? Update);
