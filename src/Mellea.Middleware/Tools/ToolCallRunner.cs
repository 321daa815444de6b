using System.Diagnostics;

namespace Mellea.Tools;

/// <summary>Runs the tool calls of one model answer: each in its <c>execute_tool</c> span, measured, failures turned into error results.</summary>
internal sealed class ToolCallRunner
{
    private readonly IReadOnlyDictionary<string, RegisteredTool> _tools;
    private readonly ToolMetrics _metrics;
    private readonly TracingOptions? _tracing;
    private readonly bool _rethrow;
    private readonly bool _detailedErrors;
    private readonly bool _concurrent;
    private readonly string _toolList;

    public ToolCallRunner(IReadOnlyDictionary<string, RegisteredTool> tools, ToolMetrics metrics, ToolInvocationOptions options)
    {
        _tools = tools;
        _metrics = metrics;
        _tracing = options.Tracing;
        _rethrow = options.RethrowToolExceptions;
        _detailedErrors = options.IncludeDetailedErrors;
        _concurrent = options.AllowConcurrentInvocation;
        _toolList = string.Join(", ", tools.Keys.Order(StringComparer.Ordinal));
    }

    public bool IsRegistered(string name) => _tools.ContainsKey(name);

    /// <summary>Runs the calls (concurrently when allowed and there are several) and returns the results in the calls' order.</summary>
    public async ValueTask<ToolResultPart[]> RunRoundAsync(IReadOnlyList<ToolCallPart> calls, Activity? loopSpan, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var results = new ToolResultPart[calls.Count];
        if (_concurrent && calls.Count > 1)
        {
            // Every run starts here, under the loop span, before the first one yields: their spans are siblings in call order.
            var running = new Task<ToolResultPart>[calls.Count];
            for (var i = 0; i < calls.Count; i++)
            {
                running[i] = RunAsync(calls[i], loopSpan, timeProvider, cancellationToken).AsTask();
            }

            await Task.WhenAll(running).ConfigureAwait(false);
            for (var i = 0; i < running.Length; i++)
            {
                results[i] = await running[i].ConfigureAwait(false);
            }

            return results;
        }

        for (var i = 0; i < calls.Count; i++)
        {
            results[i] = await RunAsync(calls[i], loopSpan, timeProvider, cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    private async ValueTask<ToolResultPart> RunAsync(ToolCallPart call, Activity? loopSpan, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            RecordUnknown(call, loopSpan);
            return new ToolResultPart(call.CallId, $"Error: there is no tool named '{call.Name}'. The tools are: {_toolList}.", isError: true);
        }

        var span = MelleaTracing.StartToolExecution(tool.Name, call.CallId, tool.Description, call.ArgumentsJson, _tracing);
        var start = timeProvider.GetTimestamp();
        string? errorType = null;
        var cancelled = false;
        try
        {
            if (!ToolArgumentBinder.TryBind(tool, call.ArgumentsJson, out var arguments, out var problem))
            {
                errorType = ToolInvocationTelemetry.InvalidArgumentsErrorType;
                var message = $"Error: invalid arguments for the tool '{tool.Name}': {problem}.";
                SetFailure(span, message, errorType);
                return new ToolResultPart(call.CallId, message, isError: true);
            }

            var result = await tool.Function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
            var text = ToolResultText.Format(result, tool.Function.JsonSerializerOptions);
            span.SetResult(text);
            SetStatus(span, ToolInvocationTelemetry.StatusSuccess);
            return new ToolResultPart(call.CallId, text);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller cancelled: not the tool's failure, and not something to tell the model.
            cancelled = true;
            throw;
        }
        catch (Exception ex)
        {
            errorType = ErrorClassifier.Classify(ex, cancellationToken).ErrorType;
            RecordError(span, ex);
            if (_rethrow)
            {
                throw;
            }

            var detail = _detailedErrors ? $": {ex.Message}" : string.Empty;
            return new ToolResultPart(call.CallId, $"Error: the tool '{tool.Name}' failed ({ex.GetType().Name}){detail}.", isError: true);
        }
        finally
        {
            if (!cancelled)
            {
                _metrics.Record(tool.Name, timeProvider.GetElapsedTime(start), errorType);
            }

            End(span);
        }
    }

    private void RecordUnknown(ToolCallPart call, Activity? loopSpan)
    {
        _metrics.Record(ToolInvocationTelemetry.UnknownToolName, duration: null, ToolInvocationTelemetry.UnknownToolErrorType);
        if (loopSpan is { IsAllDataRequested: true })
        {
            try
            {
                loopSpan.AddEvent(new ActivityEvent(
                    ToolInvocationTelemetry.UnknownToolEvent,
                    tags: new ActivityTagsCollection
                    {
                        { GenAiAttributes.ToolName, call.Name },
                        { GenAiAttributes.ToolCallId, call.CallId },
                    }));
            }
            catch (Exception)
            {
                // Telemetry never fails the tool loop.
            }
        }
    }

    private static void End(ToolExecutionSpan span)
    {
        try
        {
            span.Dispose();
        }
        catch (Exception)
        {
            // A listener's ActivityStopped callback threw; the tool's result stands.
        }
    }

    private static void SetFailure(ToolExecutionSpan span, string message, string errorType)
    {
        if (span.Activity is { } activity)
        {
            activity.SetTag(GenAiAttributes.ErrorType, errorType);
            activity.SetStatus(ActivityStatusCode.Error, message);
            SetStatus(span, ToolInvocationTelemetry.StatusFailure);
        }
    }

    private static void RecordError(ToolExecutionSpan span, Exception exception)
    {
        try
        {
            span.SetError(exception);
            SetStatus(span, ToolInvocationTelemetry.StatusFailure);
        }
        catch (Exception)
        {
            // Telemetry never fails the tool loop.
        }
    }

    private static void SetStatus(ToolExecutionSpan span, string status)
    {
        if (span.Activity is { IsAllDataRequested: true } activity)
        {
            activity.SetTag(ToolInvocationTelemetry.ToolStatusAttribute, status);
        }
    }
}
