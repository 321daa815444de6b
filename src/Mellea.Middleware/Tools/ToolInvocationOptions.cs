using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace Mellea;

/// <summary>Options of the <see cref="ToolInvocationMiddleware"/>. An instance with <see cref="Tools"/> filled is the usual setup.</summary>
public sealed class ToolInvocationOptions
{
    /// <summary>The default of <see cref="MaximumIterations"/>: 40, as Microsoft.Extensions.AI's <c>FunctionInvokingChatClient</c>.</summary>
    public const int DefaultMaximumIterations = 40;

    /// <summary>
    /// The .NET functions the model may call, made with <see cref="AIFunctionFactory"/> (which also builds their JSON schema).
    /// Names must be unique. With no tools, the middleware passes every call straight through.
    /// </summary>
    public IList<AIFunction> Tools { get; } = [];

    /// <summary>
    /// How many tool rounds (model answers whose tool calls the middleware runs) one call may take. When the model still asks
    /// for tools after that many rounds, the loop stops with a <see cref="ToolInvocationException"/> before running them.
    /// Default: <see cref="DefaultMaximumIterations"/>. At least 1.
    /// </summary>
    public int MaximumIterations { get; set; } = DefaultMaximumIterations;

    /// <summary>
    /// Whether the tool calls of one model answer run concurrently. Default: <see langword="false"/> (one after the other, in the
    /// model's order), because registered functions are not necessarily thread-safe. Results always go back in the model's order.
    /// </summary>
    public bool AllowConcurrentInvocation { get; set; }

    /// <summary>
    /// Whether an exception thrown by a tool ends the call (it is rethrown to the caller). Default: <see langword="false"/>: the
    /// failure is sent to the model as an error result, so it can recover.
    /// </summary>
    public bool RethrowToolExceptions { get; set; }

    /// <summary>
    /// Whether the error result sent to the model includes the exception's message. Default: <see langword="false"/>: only the
    /// exception's type is sent, because a message can carry data the model should not see.
    /// </summary>
    public bool IncludeDetailedErrors { get; set; }

    /// <summary>The content policy of the <c>execute_tool</c> spans (arguments and results); null means the environment decides.</summary>
    public TracingOptions? Tracing { get; set; }

    /// <summary>The meter of the tool metrics. Default: a meter from <see cref="MeterFactory"/> when set, else <see cref="MelleaTelemetry.Meter"/>.</summary>
    public Meter? Meter { get; set; }

    /// <summary>Creates the <see cref="MelleaTelemetry.MeterName"/> meter when <see cref="Meter"/> is not set.</summary>
    public IMeterFactory? MeterFactory { get; set; }
}
