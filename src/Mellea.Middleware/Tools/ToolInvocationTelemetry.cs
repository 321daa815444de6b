namespace Mellea;

/// <summary>The names of the spans, metrics and attributes of the <see cref="ToolInvocationMiddleware"/>.</summary>
public static class ToolInvocationTelemetry
{
    /// <summary>
    /// The span (kind INTERNAL, source <see cref="MelleaTelemetry.ApplicationSourceName"/>) around a whole tool loop. The name is
    /// Microsoft.Extensions.AI's, so one dashboard serves both; it is not a semantic-convention name.
    /// </summary>
    public const string LoopSpanName = "orchestrate_tools";

    /// <summary>On the loop span: how many tool rounds ran.</summary>
    public const string IterationsAttribute = "mellea.tool.iterations";

    /// <summary>On the per-turn spans made when tracing sits outside the tool middleware: the model call's number, from 1.</summary>
    public const string TurnAttribute = "mellea.tool.turn";

    /// <summary>On <c>execute_tool</c> spans: <see cref="StatusSuccess"/> or <see cref="StatusFailure"/> (as Python Mellea).</summary>
    public const string ToolStatusAttribute = "mellea.tool.status";

    /// <summary>The event on the loop span when the model calls a tool that does not exist.</summary>
    public const string UnknownToolEvent = "mellea.tool.unknown";

    /// <summary>The semconv histogram of tool run durations, in seconds, with the duration buckets (0.01 … 81.92).</summary>
    public const string ExecuteToolDuration = "gen_ai.execute_tool.duration";

    /// <summary>The counter of tool calls by <c>gen_ai.tool.name</c> and <see cref="StatusAttribute"/> (as Python Mellea).</summary>
    public const string ToolCalls = "mellea.tool.calls";

    /// <summary>The attribute of <see cref="ToolCalls"/> that says how the call ended.</summary>
    public const string StatusAttribute = "status";

    /// <summary>A tool call that returned a result.</summary>
    public const string StatusSuccess = "success";

    /// <summary>A tool call that failed: the tool threw, the arguments were malformed, or the tool does not exist.</summary>
    public const string StatusFailure = "failure";

    /// <summary>
    /// The <c>gen_ai.tool.name</c> recorded for calls of tools that do not exist: the model chooses those names, and recording
    /// them would make the metric's cardinality unbounded.
    /// </summary>
    public const string UnknownToolName = "_OTHER";

    /// <summary>The <c>error.type</c> of malformed arguments.</summary>
    public const string InvalidArgumentsErrorType = "invalid_arguments";

    /// <summary>The <c>error.type</c> of a call of a tool that does not exist.</summary>
    public const string UnknownToolErrorType = "unknown_tool";
}
