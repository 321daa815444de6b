namespace Mellea.Backends.OpenAI;

/// <summary>
/// One parsed Server-Sent Event of a chat completion stream: the update it carries, <see cref="OpenAIStreamParser.Done"/> for
/// <c>[DONE]</c>, or null when it carries nothing to show.
/// </summary>
/// <remarks>
/// A struct on purpose. The JIT compiles a generic class once for every reference type it is instantiated over, so
/// <c>PulledUpdateStream&lt;ChatResponseUpdate?&gt;</c> would share one per-update loop with other backends, profiled and
/// devirtualized for whichever stream ran more, and the others pay virtual calls on every event. Over this struct the loop is
/// compiled for the OpenAI-compatible stream alone (bench/results/analysis.md).
/// </remarks>
/// <param name="Update">The update, the end marker, or null.</param>
internal readonly record struct OpenAIStreamEvent(ChatResponseUpdate? Update);
