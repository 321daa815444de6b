using System.Diagnostics;
using Mellea.Tracing;

namespace Mellea;

/// <summary>
/// An <c>execute_tool {name}</c> span (kind INTERNAL) around one tool run, for application code that runs tools itself
/// and for the tool-invocation middleware. Start it with <see cref="MelleaTracing.StartToolExecution"/>; dispose it to
/// end it. With nothing listening it is an empty value and costs nothing.
/// </summary>
/// <remarks>Arguments and result are recorded only when the content policy allows it.</remarks>
public readonly struct ToolExecutionSpan : IDisposable
{
    private readonly ContentCapture? _content;

    internal ToolExecutionSpan(Activity? activity, ContentCapture? content)
    {
        Activity = activity;
        _content = content;
    }

    /// <summary>The span, or null when nothing listens.</summary>
    public Activity? Activity { get; }

    /// <summary>Records the tool's result (only with content capture on).</summary>
    /// <param name="result">The result text.</param>
    public void SetResult(string? result)
    {
        if (Activity is { IsAllDataRequested: true } activity && _content is not null && result is not null)
        {
            try
            {
                activity.SetTag(GenAiAttributes.ToolCallResult, _content.Json(result));
            }
            catch (Exception)
            {
                // Telemetry never fails the tool run.
            }
        }
    }

    /// <summary>Records a failure with the same recipe as generation spans: status Error, <c>error.type</c>, an exception event.</summary>
    /// <param name="exception">The failure.</param>
    public void SetError(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (Activity is not { } activity)
        {
            return;
        }

        var classification = ErrorClassifier.Classify(exception);
        activity.SetTag(GenAiAttributes.ErrorType, classification.ErrorType);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }

    /// <summary>Ends the span.</summary>
    public void Dispose() => Activity?.Stop();
}

/// <summary>Spans for application code: tool runs, and the application's own work (a session, an action).</summary>
public static class MelleaTracing
{
    /// <summary>Starts an <c>execute_tool {toolName}</c> span under the current activity.</summary>
    /// <param name="toolName">The tool's name.</param>
    /// <param name="callId">The model's id for the call, if any.</param>
    /// <param name="description">The tool's description, if any.</param>
    /// <param name="argumentsJson">The arguments; recorded only with content capture on.</param>
    /// <param name="options">The content policy (the same options as the tracing middleware); null means the environment decides.</param>
    public static ToolExecutionSpan StartToolExecution(string toolName, string? callId = null, string? description = null, string? argumentsJson = null, TracingOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(toolName);
        var source = MelleaTelemetry.ApplicationSource;
        if (!source.HasListeners())
        {
            return default;
        }

        try
        {
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, "execute_tool" },
                { GenAiAttributes.ToolName, toolName },
                { GenAiAttributes.ToolType, "function" },
            };
            var activity = source.StartActivity($"execute_tool {toolName}", ActivityKind.Internal, parentContext: default, tags: tags);
            if (activity is not { IsAllDataRequested: true })
            {
                return new ToolExecutionSpan(activity, null);
            }

            if (callId is not null)
            {
                activity.SetTag(GenAiAttributes.ToolCallId, callId);
            }

            if (description is not null)
            {
                activity.SetTag(GenAiAttributes.ToolDescription, description);
            }

            options ??= new TracingOptions();
            ContentCapture? content = null;
            if (options.ResolveCaptureContent())
            {
                content = new ContentCapture(options.MaxContentLength, options.RedactContent);
                if (argumentsJson is not null)
                {
                    activity.SetTag(GenAiAttributes.ToolCallArguments, content.Json(argumentsJson));
                }
            }

            return new ToolExecutionSpan(activity, content);
        }
        catch (Exception)
        {
            return default;
        }
    }

    /// <summary>
    /// Starts an application span (kind INTERNAL) on <see cref="MelleaTelemetry.ApplicationSource"/> around the caller's own
    /// work. Generation spans started inside it become its children. Returns null when nothing listens.
    /// </summary>
    /// <param name="name">The span's name (<c>session</c>, <c>action</c>, …).</param>
    /// <param name="tags">Attributes to set at start.</param>
    public static Activity? StartApplicationSpan(string name, IEnumerable<KeyValuePair<string, object?>>? tags = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var source = MelleaTelemetry.ApplicationSource;
        return source.HasListeners() ? source.StartActivity(name, ActivityKind.Internal, parentContext: default, tags: tags) : null;
    }

    /// <summary>Records a failure on an application span with the same recipe as generation spans.</summary>
    /// <param name="activity">The span; nothing happens when null.</param>
    /// <param name="exception">The failure.</param>
    public static void RecordError(Activity? activity, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        if (activity is null)
        {
            return;
        }

        var classification = ErrorClassifier.Classify(exception);
        activity.SetTag(GenAiAttributes.ErrorType, classification.ErrorType);
        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.AddException(exception);
    }
}
