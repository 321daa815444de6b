using System.Diagnostics;
using Mellea.Telemetry.Bootstrap;
using Mellea.Tracing;
using Microsoft.Extensions.Logging;

namespace Mellea;

/// <summary>
/// Opens one OpenTelemetry GenAI CLIENT span around <c>next</c> for every call (retries inside it), named
/// <c>{gen_ai.operation.name} {gen_ai.request.model}</c>, and records the semantic-convention attributes from the
/// request at start and from <see cref="GenerationMetadata"/> at the end.
/// </summary>
/// <remarks>
/// <para>The span is closed in a <c>finally</c> around <c>next</c>, so it ends on every path: success, failure, caller
/// cancellation, an abandoned stream, and an answer that needed no I/O. No span is ever kept in a table.</para>
/// <para>With nothing listening to <see cref="MelleaTelemetry.GenerationSource"/>, the middleware only calls
/// <c>next</c>: it allocates nothing and does not touch the stream.</para>
/// <para>Telemetry never throws into the caller: a failure while recording is swallowed.</para>
/// </remarks>
public sealed class TracingMiddleware : IGenerationMiddleware
{
    private readonly TracingOptions _options;
    private readonly ContentCapture _content;
    private readonly SpanTagCache _cache = new();

    /// <summary>Creates the middleware.</summary>
    /// <param name="options">The options; copied.</param>
    public TracingMiddleware(TracingOptions? options = null)
    {
        _options = options?.Clone() ?? new TracingOptions();
        _content = new ContentCapture(_options.MaxContentLength, _options.RedactContent);
        CaptureContent = _options.ResolveCaptureContent();
        ChunkEvents = _options.ResolveChunkEvents();
        WarnIfContentFollowsDeprecatedName(_options);
    }

    /// <summary>Whether this middleware captures content (decided once, when it was built).</summary>
    public bool CaptureContent { get; }

    /// <summary>Whether this middleware adds an event per streamed update.</summary>
    public bool ChunkEvents { get; }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return MelleaTelemetry.GenerationSource.HasListeners() ? InvokeTracedAsync(context, next) : next(context);
    }

    // Python Mellea dropped the old name silently; here it still works for one release, and says so once per middleware. The
    // environment bootstrap warns too, but an application that only calls UseTracing never runs it.
    private static void WarnIfContentFollowsDeprecatedName(TracingOptions options)
    {
        if (options.CaptureContent is not null
            || options.LoggerFactory is not { } loggers
            || options.Environment.Get(MelleaTelemetryVariables.DeprecatedTraceContent) is null)
        {
            return;
        }

        try
        {
            loggers.CreateLogger<TracingMiddleware>().LogWarning(
                "{Warning}",
                TelemetryEnvironmentReader.DeprecationWarning(MelleaTelemetryVariables.DeprecatedTraceContent, MelleaTelemetryVariables.TracesContent));
        }
        catch (Exception)
        {
            // Telemetry never throws into the caller, not even while it is being built.
        }
    }

    private async ValueTask InvokeTracedAsync(GenerationContext context, GenerationDelegate next)
    {
        context.BeginObservation();
        var activity = Start(context, out var startUtc);
        if (activity is null)
        {
            // A sampler said no: nothing to record.
            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                context.EndObservation();
            }

            return;
        }

        var previousActivity = context.GenerationActivity;
        context.GenerationActivity = activity;
        TracingStreamSink? sink = null;
        if (context.IsStreaming && activity.IsAllDataRequested && (ChunkEvents || CaptureContent))
        {
            sink = new TracingStreamSink(context.Updates, activity, context.TimeProvider, ChunkEvents, CaptureContent);
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
            if (sink is not null)
            {
                context.Updates = sink.Inner;
            }

            context.GenerationActivity = previousActivity;
            End(context, activity, startUtc, failure, sink);
            context.EndObservation();
        }
    }

    private Activity? Start(GenerationContext context, out DateTimeOffset startUtc)
    {
        // The span starts where the shared measurement started, so that its duration is the metric's duration.
        var now = context.TimeProvider.GetUtcNow();
        startUtc = now - context.TimeProvider.GetElapsedTime(context.StartTimestamp);
        try
        {
            // The name and the sampling-relevant attributes go in at creation, so samplers see them; both are cached.
            var start = _cache.GetStart(context.Handler, context.Operation, context.RequestModel);
            var activity = MelleaTelemetry.GenerationSource.StartActivity(
                start.Name,
                ActivityKind.Client,
                parentContext: default,
                tags: start.Tags,
                links: null,
                startTime: startUtc);
            if (activity is { IsAllDataRequested: true })
            {
                SetRequestAttributes(context, activity);
            }

            return activity;
        }
        catch (Exception)
        {
            // Telemetry never fails a call.
            return null;
        }
    }

    private void SetRequestAttributes(GenerationContext context, Activity activity)
    {
        var options = context.Options;
        if (options is not null)
        {
            activity.SetCached(GenAiAttributes.RequestTemperature, options.Temperature, _cache.Temperature);
            activity.SetCached(GenAiAttributes.RequestTopP, options.TopP, _cache.TopP);
            activity.SetCached(GenAiAttributes.RequestTopK, options.TopK, _cache.TopK);
            activity.SetCached(GenAiAttributes.RequestMaxTokens, options.MaxOutputTokens, _cache.MaxTokens);
            activity.SetCached(GenAiAttributes.RequestSeed, options.Seed, _cache.Seed);
            SetIfNotNull(activity, GenAiAttributes.RequestFrequencyPenalty, options.FrequencyPenalty);
            SetIfNotNull(activity, GenAiAttributes.RequestPresencePenalty, options.PresencePenalty);
            if (options.StopSequences is { Count: > 0 } stops)
            {
                activity.SetTag(GenAiAttributes.RequestStopSequences, stops.ToArray());
            }

            if (options.ChoiceCount is { } n && n != 1)
            {
                activity.SetTag(GenAiAttributes.RequestChoiceCount, n);
            }

            if (options.ReasoningLevel is { } reasoning)
            {
                activity.SetTag(GenAiAttributes.RequestReasoningLevel, reasoning);
            }

            if (options.ResponseFormat is { } format)
            {
                activity.SetTag(GenAiAttributes.OutputType, format.OutputType);
                if (format.Kind == ResponseFormatKind.JsonSchema)
                {
                    activity.SetTag(GenAiAttributes.MelleaRequestFormatType, format.SchemaName);
                }
            }

            if (options.Tools is { Count: > 0 } tools)
            {
                activity.SetTag(GenAiAttributes.MelleaRequestTools, _cache.ToolCount.Box(tools.Count));
            }
        }

        if (context.IsStreaming)
        {
            activity.SetTag(GenAiAttributes.RequestStream, true);
        }

        if ((options?.ConversationId ?? ConversationScope.CurrentConversationId) is { } conversationId)
        {
            activity.SetTag(GenAiAttributes.ConversationId, conversationId);
        }

        if (context.Operation == GenerationOperation.RawCompletion)
        {
            activity.SetTag(GenAiAttributes.MelleaRequestPromptCount, context.RawRequest.Prompts.Count);
        }
        else
        {
            activity.SetTag(GenAiAttributes.MelleaRequestContextSize, _cache.ContextSize.Box(context.ChatRequest.Messages.Count));
        }

        _options.Enrichment?.AddTo(context, activity);

        if (context.PromptTemplate is { } template)
        {
            SetTemplateAttributes(activity, template);
        }

        if (CaptureContent)
        {
            if (context.Operation == GenerationOperation.RawCompletion)
            {
                activity.SetTag(GenAiAttributes.InputMessages, _content.InputPrompts(context.RawRequest.Prompts));
            }
            else
            {
                var messages = context.ChatRequest.Messages;
                activity.SetTag(GenAiAttributes.SystemInstructions, _content.SystemInstructions(messages));
                activity.SetTag(GenAiAttributes.InputMessages, _content.InputMessages(messages));
            }

            activity.SetTag(GenAiAttributes.ToolDefinitions, _content.ToolDefinitions(options?.Tools));
        }
    }

    private void SetTemplateAttributes(Activity activity, PromptTemplate template)
    {
        activity.SetTag(GenAiAttributes.PromptName, template.Name);
        if (template.Version is { } version)
        {
            activity.SetTag(GenAiAttributes.PromptVersion, version);
            activity.SetTag(GenAiAttributes.LlmPromptTemplateVersion, version);
        }

        // Template text is written by developers, not users, so it is recorded without content capture (capped all the same).
        activity.SetTag(GenAiAttributes.LlmPromptTemplate, _content.Cap(template.Template));
        if (CaptureContent && template.Variables.Count > 0)
        {
            foreach (var variable in template.Variables)
            {
                activity.SetTag(GenAiAttributes.PromptVariablePrefix + variable.Key, _content.Text(variable.Value));
            }

            activity.SetTag(GenAiAttributes.LlmPromptTemplateVariables, _content.Variables(template.Variables));
        }
    }

    private void End(GenerationContext context, Activity activity, DateTimeOffset startUtc, Exception? failure, TracingStreamSink? sink)
    {
        try
        {
            var duration = context.EnsureEnded();
            if (activity.IsAllDataRequested)
            {
                SetResponseAttributes(context, activity, failure, sink);
            }

            // The end on the pipeline's clock. SetEndTime keeps a zero duration as one tick, so Stop() keeps this end
            // instead of taking the system clock's.
            activity.SetEndTime((startUtc + duration).UtcDateTime);
        }
        catch (Exception)
        {
            // Telemetry never fails a call; the span still ends below.
        }
        finally
        {
            activity.Stop();
        }
    }

    private void SetResponseAttributes(GenerationContext context, Activity activity, Exception? failure, TracingStreamSink? sink)
    {
        var metadata = context.Metadata;
        if (metadata is not null)
        {
            if (metadata.ResponseModel is { } responseModel)
            {
                activity.SetTag(GenAiAttributes.ResponseModel, responseModel);
            }

            if (metadata.ResponseId is { } responseId)
            {
                activity.SetTag(GenAiAttributes.ResponseId, responseId);
            }

            if (metadata.FinishReasons is { Count: > 0 } reasons)
            {
                activity.SetTag(GenAiAttributes.ResponseFinishReasons, _cache.FinishReasons(reasons));
            }

            if (metadata.Usage is { } usage)
            {
                SetTokens(activity, GenAiAttributes.UsageInputTokens, usage.InputTokens);
                SetTokens(activity, GenAiAttributes.UsageOutputTokens, usage.OutputTokens);
                SetTokens(activity, GenAiAttributes.UsageCacheReadInputTokens, usage.CacheReadInputTokens);
                SetTokens(activity, GenAiAttributes.UsageCacheWriteInputTokens, usage.CacheWriteInputTokens);
                SetTokens(activity, GenAiAttributes.UsageReasoningOutputTokens, usage.ReasoningOutputTokens);
                // Semantic conventions have no total on purpose: it is input + output. It is recorded only when the
                // provider's total says something else (cached or reasoning tokens counted differently).
                if (usage.TotalTokens is { } total && total != (usage.InputTokens ?? 0) + (usage.OutputTokens ?? 0))
                {
                    SetTokens(activity, GenAiAttributes.MelleaUsageTotalTokens, total);
                }
            }

            if (metadata.ProviderRequestId is { } requestId)
            {
                activity.SetTag(GenAiAttributes.MelleaProviderRequestId, requestId);
            }
        }
        else if (failure is GenerationException { ProviderRequestId: { } failedRequestId })
        {
            activity.SetTag(GenAiAttributes.MelleaProviderRequestId, failedRequestId);
        }

        if (context.RetryCount > 0)
        {
            activity.SetTag(GenAiAttributes.MelleaRetryAttempts, context.RetryCount);
        }

        string outcome;
        if (failure is null)
        {
            // Like error.type, mellea.outcome is only on a span that did not complete normally: its absence means
            // completed, which saves a 40 B attribute on every successful call. The stream end event still says it.
            outcome = GenAiAttributes.Values.OutcomeCompleted;
        }
        else
        {
            var classification = context.ClassifyFailure(failure);
            if (classification.IsCancellation)
            {
                // The caller's cancellation and an abandoned stream are outcomes, not errors: status stays unset.
                outcome = failure is GenerationStreamAbandonedException ? GenAiAttributes.Values.OutcomeAbandoned : GenAiAttributes.Values.OutcomeCancelled;
            }
            else
            {
                outcome = GenAiAttributes.Values.OutcomeFailed;
                activity.SetStatus(ActivityStatusCode.Error, failure.Message);
                activity.SetTag(GenAiAttributes.ErrorType, classification.ErrorType);
                activity.SetTag(GenAiAttributes.MelleaErrorCategory, classification.Category.ToWireName());
                activity.AddException(failure);
            }
        }

        if (failure is not null)
        {
            activity.SetTag(GenAiAttributes.MelleaOutcome, outcome);
        }

        if (context.IsStreaming)
        {
            var startUtc = activity.StartTimeUtc;
            if (context.TimeToFirstChunk is { } ttfc)
            {
                activity.SetTag(GenAiAttributes.ResponseTimeToFirstChunk, ttfc.TotalSeconds);
                activity.AddEvent(new ActivityEvent(
                    GenAiAttributes.Events.StreamFirstChunk,
                    new DateTimeOffset(startUtc + ttfc, TimeSpan.Zero),
                    new ActivityTagsCollection { [GenAiAttributes.MelleaStreamTimeToFirstChunk] = ttfc.TotalSeconds }));
            }

            activity.AddEvent(new ActivityEvent(
                GenAiAttributes.Events.StreamEnd,
                context.TimeProvider.GetUtcNow(),
                new ActivityTagsCollection
                {
                    [GenAiAttributes.MelleaStreamChunkCount] = context.ChunkCount,
                    [GenAiAttributes.MelleaOutcome] = outcome,
                }));
        }

        if (CaptureContent)
        {
            if (context.RawResponse is { } raw)
            {
                activity.SetTag(GenAiAttributes.OutputMessages, _content.OutputCompletions(raw.Completions));
            }
            else if (context.ChatResponse is { } chat)
            {
                activity.SetTag(GenAiAttributes.OutputMessages, _content.OutputMessages(chat.Choices));
            }
            else if (sink?.Choices() is { Count: > 0 } streamed)
            {
                activity.SetTag(GenAiAttributes.OutputMessages, _content.OutputMessages(streamed));
            }
        }
    }

    private void SetTokens(Activity activity, string key, long? value)
    {
        if (value is { } v)
        {
            activity.SetTag(key, _cache.BoxTokens(v));
        }
    }

    private static void SetIfNotNull<T>(Activity activity, string key, T? value)
        where T : struct
    {
        if (value is { } v)
        {
            activity.SetTag(key, v);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"TracingMiddleware(content={CaptureContent}, chunkEvents={ChunkEvents})";
}
