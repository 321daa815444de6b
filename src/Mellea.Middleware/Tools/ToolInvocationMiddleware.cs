using System.Diagnostics;
using System.Diagnostics.Metrics;
using Mellea.Tools;
using Microsoft.Extensions.AI;

namespace Mellea;

/// <summary>
/// Runs the tool loop: offers the registered .NET functions to the model, runs the tool calls it answers with, sends the results
/// back, and calls the model again until it answers without tool calls.
/// </summary>
/// <remarks>
/// <para><b>Tools.</b> Functions are Microsoft.Extensions.AI <see cref="AIFunction"/>s (usually from <see cref="AIFunctionFactory"/>,
/// which builds the JSON schema from the method). They are added to every chat request's <see cref="GenerationOptions.Tools"/>
/// (a tool the request already declares under the same name is not added twice).</para>
/// <para><b>The loop.</b> After a model answer with tool calls, the assistant message (its text and tool-call parts) and one
/// <see cref="ChatRole.Tool"/> message per result are appended to the conversation, and <c>next</c> is called again with that
/// request. Only the first choice is looked at. A tool the request itself declares but the middleware does not know is the
/// caller's: such an answer ends the loop and is returned as it is. After the first round, a <see cref="ToolChoice.Required"/>
/// or specific tool choice becomes <see cref="ToolChoice.Auto"/>, or the model could never stop. When the model still asks for
/// tools after <see cref="ToolInvocationOptions.MaximumIterations"/> rounds, a <see cref="ToolInvocationException"/> ends the call.</para>
/// <para><b>Errors.</b> A tool that throws, arguments that are not a JSON object or do not fit the schema (the result names the
/// parameter), and a tool name nobody registered all become error results (<see cref="ToolResultPart.IsError"/>) that the model
/// can react to. <see cref="ToolInvocationOptions.RethrowToolExceptions"/> rethrows a tool's exception instead.</para>
/// <para><b>The answer.</b> The caller gets the last turn's answer; its metadata carries the usage (and reported cost) summed over
/// every turn. A stream passes through the loop: text and reasoning of every turn reach the caller as they come; the tool-call
/// fragments, finish reasons and final metadata of the turns the loop answers itself are not shown, so the caller's stream
/// ends with exactly one final update.</para>
/// <para><b>Spans</b> (names in <see cref="ToolInvocationTelemetry"/>). One <c>orchestrate_tools</c> span covers the loop; every tool
/// run is an <c>execute_tool {name}</c> span under it (<see cref="MelleaTracing.StartToolExecution"/>). With tracing inside this
/// middleware, every model call is a <c>chat {model}</c> CLIENT span of the tracing middleware under the loop span. With tracing
/// outside, the tracing middleware's one span covers the whole logical call and the loop span is its child; this middleware then
/// adds a <c>chat {model}</c> INTERNAL span (application source, with <c>mellea.tool.turn</c>) per model call, so the loop span
/// has the same children, in the same order, in both orders.</para>
/// <para><b>Metrics.</b> <c>gen_ai.execute_tool.duration</c> and <c>mellea.tool.calls</c> (see <see cref="ToolInvocationTelemetry"/>).</para>
/// <para><b>Cost.</b> Without registered tools, and for raw completions and requests whose tool choice is
/// <see cref="ToolChoice.None"/>, the middleware only calls <c>next</c>. Thread-safe: one instance serves concurrent calls.</para>
/// </remarks>
public sealed class ToolInvocationMiddleware : IGenerationMiddleware
{
    private readonly Dictionary<string, RegisteredTool> _tools;
    private readonly ToolDefinition[] _definitions;
    private readonly ToolCallRunner _runner;
    private readonly ToolMetrics _metrics;

    /// <summary>Creates the middleware.</summary>
    /// <param name="options">The tools and settings; the tool list is copied.</param>
    /// <exception cref="ArgumentException">A tool is null, or two tools share a name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="ToolInvocationOptions.MaximumIterations"/> is below 1.</exception>
    public ToolInvocationMiddleware(ToolInvocationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaximumIterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaximumIterations, "ToolInvocationOptions.MaximumIterations must be at least 1.");
        }

        _tools = new Dictionary<string, RegisteredTool>(StringComparer.Ordinal);
        var definitions = new List<ToolDefinition>(options.Tools.Count);
        for (var i = 0; i < options.Tools.Count; i++)
        {
            var function = options.Tools[i] ?? throw new ArgumentException($"ToolInvocationOptions.Tools[{i}] is null.", nameof(options));
            var tool = new RegisteredTool(function);
            if (!_tools.TryAdd(tool.Name, tool))
            {
                throw new ArgumentException($"Two tools are named '{tool.Name}'; tool names must be unique.", nameof(options));
            }

            definitions.Add(tool.Definition);
        }

        _definitions = [.. definitions];
        MaximumIterations = options.MaximumIterations;
        AllowConcurrentInvocation = options.AllowConcurrentInvocation;
        var meter = options.Meter
            ?? options.MeterFactory?.Create(new MeterOptions(MelleaTelemetry.MeterName) { Version = MelleaTelemetry.Version })
            ?? MelleaTelemetry.Meter;
        _metrics = new ToolMetrics(meter);
        _runner = new ToolCallRunner(_tools, _metrics, options);
    }

    /// <summary>The definitions offered to the model, in registration order.</summary>
    public IReadOnlyList<ToolDefinition> ToolDefinitions => _definitions;

    /// <summary>How many tool rounds one call may take.</summary>
    public int MaximumIterations { get; }

    /// <summary>Whether the tool calls of one answer run concurrently.</summary>
    public bool AllowConcurrentInvocation { get; }

    /// <summary>The meter the tool metrics are recorded on.</summary>
    public Meter Meter => _metrics.Meter;

    /// <inheritdoc/>
    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_definitions.Length == 0
            || context.Operation == GenerationOperation.RawCompletion
            || context.ChatRequest.Options?.ToolChoice is { Mode: ToolChoiceMode.None })
        {
            return next(context);
        }

        return RunLoopAsync(context, next);
    }

    /// <inheritdoc/>
    public override string ToString() => $"ToolInvocationMiddleware({_definitions.Length} tool(s), max {MaximumIterations} round(s))";

    private async ValueTask RunLoopAsync(GenerationContext context, GenerationDelegate next)
    {
        var original = context.ChatRequest;
        var callerUpdates = context.IsStreaming ? context.Updates : null;

        // Tracing outside this middleware has its span open now; then this middleware gives each model call its own span.
        var spanPerTurn = context.GenerationActivity is not null;
        var loopSpan = StartLoopSpan();
        var totals = new ToolLoopTotals();
        var conversation = new List<ChatMessage>(original.Messages);
        var request = original.WithOptions(WithRegisteredTools(original.Options));
        var rounds = 0;
        Exception? failure = null;
        try
        {
            while (true)
            {
                context.ChatRequest = request;
                context.ChatResponse = null;
                context.Metadata = null;
                var sink = callerUpdates is null ? null : new ToolTurnSink(callerUpdates, context);
                await CallModelAsync(context, next, sink, callerUpdates, spanPerTurn, totals.Turns + 1).ConfigureAwait(false);

                IReadOnlyList<ToolCallPart> calls;
                ChatMessage? assistant = null;
                GenerationMetadata? metadata;
                if (sink is null)
                {
                    var response = context.ChatResponse;
                    metadata = response?.Metadata;
                    calls = response is null ? [] : [.. response.Message.ToolCalls];
                    assistant = response?.Message;
                }
                else
                {
                    metadata = sink.Metadata;
                    calls = sink.ToolCalls();
                }

                totals.Add(metadata);
                if (calls.Count == 0 || HasCallerTool(calls, original.Options))
                {
                    await FinishAsync(context, sink, totals).ConfigureAwait(false);
                    return;
                }

                if (rounds >= MaximumIterations)
                {
                    throw new ToolInvocationException(
                        $"The model asked for tools again after {rounds} tool round(s); ToolInvocationOptions.MaximumIterations ({MaximumIterations}) stops the loop here, before running them.")
                    {
                        Iterations = rounds,
                    };
                }

                rounds++;
                var results = await _runner.RunRoundAsync(calls, loopSpan, context.TimeProvider, context.CancellationToken).ConfigureAwait(false);
                conversation.Add(assistant ?? sink!.AssistantMessage(calls));
                foreach (var result in results)
                {
                    conversation.Add(new ChatMessage(ChatRole.Tool, [result]));
                }

                request = NextRequest(request, conversation, rounds);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            context.Metadata = null;
            throw;
        }
        finally
        {
            context.ChatRequest = original;
            if (callerUpdates is not null)
            {
                context.Updates = callerUpdates;
            }

            EndLoopSpan(loopSpan, rounds, totals, failure, context.CancellationToken);
        }
    }

    private static async ValueTask CallModelAsync(
        GenerationContext context, GenerationDelegate next, ToolTurnSink? sink, GenerationUpdateSink? callerUpdates, bool spanPerTurn, int turn)
    {
        var turnSpan = spanPerTurn ? StartTurnSpan(context, turn) : null;
        if (sink is not null)
        {
            context.Updates = sink;
        }

        Exception? failure = null;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            if (callerUpdates is not null)
            {
                context.Updates = callerUpdates;
            }

            EndTurnSpan(turnSpan, failure is null ? context.Metadata : null, failure, context.CancellationToken);
        }
    }

    private static async ValueTask FinishAsync(GenerationContext context, ToolTurnSink? sink, ToolLoopTotals totals)
    {
        if (sink is not null)
        {
            await sink.FlushAsync(totals.Turns > 1 && sink.Metadata is { } last ? totals.Apply(last) : null).ConfigureAwait(false);
            return;
        }

        if (totals.Turns > 1 && context.ChatResponse is { } response)
        {
            context.ChatResponse = new ChatResponse(response.Choices, totals.Apply(response.Metadata));
        }
    }

    private GenerationOptions WithRegisteredTools(GenerationOptions? options)
    {
        var merged = options?.Clone() ?? new GenerationOptions();
        var tools = merged.Tools ?? [];
        foreach (var definition in _definitions)
        {
            if (!Declares(tools, definition.Name))
            {
                tools.Add(definition);
            }
        }

        merged.Tools = tools;
        return merged;
    }

    private bool HasCallerTool(IReadOnlyList<ToolCallPart> calls, GenerationOptions? callerOptions)
    {
        if (callerOptions?.Tools is not { Count: > 0 } callerTools)
        {
            return false;
        }

        foreach (var call in calls)
        {
            if (!_runner.IsRegistered(call.Name) && Declares(callerTools, call.Name))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Declares(IList<ToolDefinition> tools, string name)
    {
        for (var i = 0; i < tools.Count; i++)
        {
            if (string.Equals(tools[i].Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static ChatRequest NextRequest(ChatRequest request, List<ChatMessage> conversation, int rounds)
    {
        var next = request.WithMessages(conversation);

        // A required or specific tool choice would make the model call tools forever: after the first round the model decides.
        if (rounds == 1 && next.Options?.ToolChoice is { Mode: ToolChoiceMode.Required or ToolChoiceMode.Specific })
        {
            var relaxed = next.Options.Clone();
            relaxed.ToolChoice = ToolChoice.Auto;
            next = next.WithOptions(relaxed);
        }

        return next;
    }

    private static Activity? StartLoopSpan()
    {
        try
        {
            return MelleaTracing.StartApplicationSpan(ToolInvocationTelemetry.LoopSpanName);
        }
        catch (Exception)
        {
            // Telemetry never fails the call (a listener can throw).
            return null;
        }
    }

    private static void Stop(Activity span)
    {
        try
        {
            span.Stop();
        }
        catch (Exception)
        {
            // A listener's ActivityStopped callback threw; the call goes on.
        }
    }

    private static Activity? StartTurnSpan(GenerationContext context, int turn)
    {
        var source = MelleaTelemetry.ApplicationSource;
        if (!source.HasListeners())
        {
            return null;
        }

        try
        {
            var model = context.RequestModel;
            var tags = new TagList
            {
                { GenAiAttributes.OperationName, context.Operation.ToOperationName() },
                { GenAiAttributes.ProviderName, context.Handler.ProviderName },
                { ToolInvocationTelemetry.TurnAttribute, turn },
            };
            if (model is not null)
            {
                tags.Add(GenAiAttributes.RequestModel, model);
            }

            return source.StartActivity(model is null ? "chat" : $"chat {model}", ActivityKind.Internal, parentContext: default, tags: tags);
        }
        catch (Exception)
        {
            return null;
        }
    }

    private static void EndTurnSpan(Activity? span, GenerationMetadata? metadata, Exception? failure, CancellationToken cancellationToken)
    {
        if (span is null)
        {
            return;
        }

        try
        {
            if (failure is not null)
            {
                RecordFailure(span, failure, cancellationToken);
            }
            else if (metadata is not null && span.IsAllDataRequested)
            {
                SetAnswerTags(span, metadata.ResponseModel, metadata.ResponseId, metadata.FinishReasons, metadata.Usage);
            }
        }
        catch (Exception)
        {
            // Telemetry never fails the call.
        }
        finally
        {
            Stop(span);
        }
    }

    private static void EndLoopSpan(Activity? span, int rounds, ToolLoopTotals totals, Exception? failure, CancellationToken cancellationToken)
    {
        if (span is null)
        {
            return;
        }

        try
        {
            if (span.IsAllDataRequested)
            {
                span.SetTag(ToolInvocationTelemetry.IterationsAttribute, rounds);
                SetAnswerTags(span, null, null, null, totals.Usage);
            }

            if (failure is not null)
            {
                RecordFailure(span, failure, cancellationToken);
            }
        }
        catch (Exception)
        {
            // Telemetry never fails the call.
        }
        finally
        {
            Stop(span);
        }
    }

    private static void RecordFailure(Activity span, Exception failure, CancellationToken cancellationToken)
    {
        // A caller's cancellation or an abandoned stream is not an error of the loop.
        if (ErrorClassifier.Classify(failure, cancellationToken).IsCancellation)
        {
            return;
        }

        MelleaTracing.RecordError(span, failure);
    }

    private static void SetAnswerTags(Activity span, string? responseModel, string? responseId, IReadOnlyList<FinishReason>? finishReasons, UsageDetails? usage)
    {
        if (responseModel is not null)
        {
            span.SetTag(GenAiAttributes.ResponseModel, responseModel);
        }

        if (responseId is not null)
        {
            span.SetTag(GenAiAttributes.ResponseId, responseId);
        }

        if (finishReasons is { Count: > 0 })
        {
            var values = new string[finishReasons.Count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = finishReasons[i].Value;
            }

            span.SetTag(GenAiAttributes.ResponseFinishReasons, values);
        }

        if (usage?.InputTokens is { } input)
        {
            span.SetTag(GenAiAttributes.UsageInputTokens, input);
        }

        if (usage?.OutputTokens is { } output)
        {
            span.SetTag(GenAiAttributes.UsageOutputTokens, output);
        }
    }
}
