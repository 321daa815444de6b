using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

using Mellea.Resilience;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Mellea;

/// <summary>
/// Retries failed calls on a Polly <see cref="ResiliencePipeline"/>: HTTP 408, 429, 500, 502, 503 and 504, connection failures and
/// timeouts, as <see cref="ErrorClassifier"/> decides; never 400, 401, 403, 404, a content-policy refusal, an exhausted quota, or
/// the caller's cancellation.
/// </summary>
/// <remarks>
/// <para><b>Delays.</b> A provider's <see cref="GenerationException.RetryAfter"/> is waited exactly, up to
/// <see cref="RetryOptions.MaxRetryAfter"/>; a longer one fails the call at once with the provider's rate-limit error. Otherwise the
/// back-off is exponential with jitter (<see cref="RetryOptions.InitialDelay"/> to <see cref="RetryOptions.MaxDelay"/>). Time comes
/// from <see cref="TimeProvider"/>, so tests advance a fake clock instead of sleeping. Cancelling during a back-off ends the call at once.</para>
/// <para><b>Timeouts.</b> <see cref="RetryOptions.AttemptTimeout"/> bounds each attempt (a timed-out attempt is a retryable timeout);
/// <see cref="RetryOptions.TotalTimeout"/> bounds the whole call. When a timeout ends the call it fails with a
/// <see cref="GenerationException"/> of category <see cref="ErrorCategory.Timeout"/>. Middlewares inside this one (tracing and metrics
/// when retry is outermost) see a timed-out attempt as a timeout too, and the caller's cancellation as a cancellation.</para>
/// <para><b>Streams.</b> A stream is retried only until its first update has gone out towards the caller; after that a failure
/// surfaces as it is.</para>
/// <para><b>Telemetry.</b> Each retry adds one to <see cref="GenerationContext.RetryCount"/> (the tracing middleware writes it as
/// <c>mellea.retry.attempts</c>, the metrics middleware counts it in <c>mellea.llm.retries</c>) and, when a generation span is open,
/// adds a <see cref="RetryEventNames.EventName"/> event to it. With tracing and metrics outside retry (the default order:
/// <c>UseTracing().UseMetrics().UseRetry()</c>) there is one span and one operation per logical call; with retry outside them each
/// attempt gets its own span and operation.</para>
/// <para>Thread-safe: one instance serves concurrent calls. Without timeouts the first attempt runs directly and only a retryable
/// failure enters the Polly pipeline (as that pipeline's first attempt, so delays and retry events are unchanged): a call that
/// succeeds at once costs no Polly work and allocates nothing in the middleware, and a stream allocates one small forwarding
/// sink. With a timeout configured every call runs on the Polly pipeline, with its pooled context.</para>
/// </remarks>
public sealed class RetryMiddleware : IGenerationMiddleware
{
    private static readonly ResiliencePropertyKey<GenerationContext> ContextKey = new("Mellea.GenerationContext");
    private static readonly ResiliencePropertyKey<CommitWatchingSink?> StreamKey = new("Mellea.StreamCommit");

    private readonly RetryOptions _options;
    private readonly ConcurrentDictionary<TimeProvider, ResiliencePipeline> _pipelines = new();
    private readonly bool _passThrough;
    private readonly bool _firstAttemptDirect;

    /// <summary>Creates the middleware.</summary>
    /// <param name="options">The options, copied; defaults when null.</param>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public RetryMiddleware(RetryOptions? options = null)
    {
        _options = options?.Clone() ?? new RetryOptions();
        _options.Validate();
        _passThrough = _options.MaxRetries == 0 && _options.AttemptTimeout is null && _options.TotalTimeout is null;
        _firstAttemptDirect = _options.AttemptTimeout is null && _options.TotalTimeout is null;
    }

    /// <summary>The options in effect.</summary>
    public RetryOptions Options => _options.Clone();

    /// <inheritdoc/>
    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_passThrough)
        {
            return next(context);
        }

        return _firstAttemptDirect ? FirstAttemptAsync(context, next) : ExecuteAsync(PipelineFor(context), context, next, firstFailure: null);
    }

    /// <inheritdoc/>
    public override string ToString() => $"RetryMiddleware({_options})";

    private ResiliencePipeline PipelineFor(GenerationContext context)
    {
        var clock = _options.TimeProvider ?? context.TimeProvider;
        return _pipelines.GetOrAdd(clock, static (clock, self) => self.BuildPipeline(clock), this);
    }

    // Without timeouts Polly has nothing to do for an attempt that succeeds, as nearly all do: the first attempt runs directly,
    // and only a retryable failure enters the Polly pipeline, which gets that failure back as its own first attempt. Delays,
    // Retry-After, retry events and counts are therefore Polly's, exactly as if it had run the first attempt itself.
    private ValueTask FirstAttemptAsync(GenerationContext context, GenerationDelegate next)
    {
        var watcher = WatchCommits(context, out var original);

        ValueTask pending;
        try
        {
            pending = next(context);
        }
        catch (Exception ex)
        {
            pending = ValueTask.FromException(ex);
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            RestoreSink(context, original);
            return default;
        }

        return AwaitFirstAttemptAsync(pending, context, next, watcher, original);
    }

    private async ValueTask AwaitFirstAttemptAsync(ValueTask pending, GenerationContext context, GenerationDelegate next, CommitWatchingSink? watcher, GenerationUpdateSink? original)
    {
        Exception failure;
        try
        {
            await pending.ConfigureAwait(false);
            return;
        }
        catch (Exception ex) when (watcher is not { Committed: true } && IsRetryable(ex, context.CancellationToken))
        {
            failure = ex;
        }
        finally
        {
            RestoreSink(context, original);
        }

        await ExecuteAsync(PipelineFor(context), context, next, new FirstFailure(failure)).ConfigureAwait(false);
    }

    // A stream's updates pass a sink that remembers whether one has gone out: after that, a retry would show it twice.
    private static CommitWatchingSink? WatchCommits(GenerationContext context, out GenerationUpdateSink? original)
    {
        if (!context.IsStreaming)
        {
            original = null;
            return null;
        }

        original = context.Updates;
        var watcher = new CommitWatchingSink(original);
        context.Updates = watcher;
        return watcher;
    }

    private static void RestoreSink(GenerationContext context, GenerationUpdateSink? original)
    {
        if (original is not null)
        {
            context.Updates = original;
        }
    }

    private static ValueTask ExecuteAsync(ResiliencePipeline pipeline, GenerationContext context, GenerationDelegate next, FirstFailure? firstFailure)
    {
        var callerToken = context.CancellationToken;
        var resilience = ResilienceContextPool.Shared.Get(callerToken);
        resilience.Properties.Set(ContextKey, context);
        var watcher = WatchCommits(context, out var original);

        resilience.Properties.Set(StreamKey, watcher);
        ValueTask pending;
        try
        {
            pending = pipeline.ExecuteAsync(
                static (resilience, state) => state.FirstFailure?.Take() is { } first
                    ? ValueTask.FromException(first)
                    : AttemptAsync(resilience, state.Context, state.Next),
                resilience,
                (Context: context, Next: next, FirstFailure: firstFailure));
        }
        catch (Exception ex)
        {
            pending = ValueTask.FromException(ex);
        }

        // An answer that came at once (a cache, a canned handler) finishes here, without an async state machine.
        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            Finish(context, resilience, original, callerToken);
            return default;
        }

        return AwaitAsync(pending, context, resilience, original, callerToken);
    }

    private static async ValueTask AwaitAsync(ValueTask pending, GenerationContext context, ResilienceContext resilience, GenerationUpdateSink? original, CancellationToken callerToken)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch (TimeoutRejectedException ex) when (!callerToken.IsCancellationRequested)
        {
            throw new GenerationException(
                ErrorCategory.Timeout,
                string.Create(CultureInfo.InvariantCulture, $"The call to {context.Handler.ProviderName} did not complete within {ex.Timeout.TotalSeconds:0.###} s (the retry middleware's timeout)."),
                ex)
            {
                ProviderName = context.Handler.ProviderName,
            };
        }
        finally
        {
            Finish(context, resilience, original, callerToken);
        }
    }

    private static void Finish(GenerationContext context, ResilienceContext resilience, GenerationUpdateSink? original, CancellationToken callerToken)
    {
        context.CancellationToken = callerToken;
        if (original is not null)
        {
            context.Updates = original;
        }

        resilience.Properties.Set(ContextKey, null!);
        resilience.Properties.Set(StreamKey, null);
        ResilienceContextPool.Shared.Return(resilience);
    }

    private static ValueTask AttemptAsync(ResilienceContext resilience, GenerationContext context, GenerationDelegate next)
    {
        // The attempt runs on Polly's token, which a timeout cancels as well as the caller. Inner middlewares (tracing and metrics
        // when retry is outermost) classify against GenerationContext.CallerCancellationToken, which no middleware replaces: a
        // cancellation the caller did not ask for reads as a timeout, with nothing allocated per attempt.
        context.CancellationToken = resilience.CancellationToken;
        return next(context);
    }

    private ResiliencePipeline BuildPipeline(TimeProvider clock)
    {
        // Polly runs the first strategy added outermost: total timeout > retry > attempt timeout.
        var builder = new ResiliencePipelineBuilder { TimeProvider = clock, Name = "mellea-retry" };
        if (_options.TotalTimeout is { } total)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = total, Name = "total-timeout" });
        }

        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                Name = "retry",
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = _options.InitialDelay,
                MaxDelay = _options.MaxDelay,
                UseJitter = _options.UseJitter,
                ShouldHandle = ShouldRetry,
                DelayGenerator = RetryAfterDelay,
                OnRetry = OnRetry,
            });
        }

        if (_options.AttemptTimeout is { } attempt)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = attempt, Name = "attempt-timeout" });
        }

        return builder.Build();
    }

    private ValueTask<bool> ShouldRetry(RetryPredicateArguments<object> args)
    {
        if (args.Outcome.Exception is not { } exception)
        {
            return new(false);
        }

        // Part of the answer has reached the caller: a retry would show it twice.
        if (args.Context.Properties.TryGetValue(StreamKey, out var watcher) && watcher is { Committed: true })
        {
            return new(false);
        }

        return new(IsRetryable(exception, args.Context.CancellationToken));
    }

    private bool IsRetryable(Exception exception, CancellationToken cancellationToken)
    {
        var classification = ErrorClassifier.Classify(exception, cancellationToken);
        return classification.IsRetryable && (classification.RetryAfter is not { } retryAfter || retryAfter <= _options.MaxRetryAfter);
    }

    private static ValueTask<TimeSpan?> RetryAfterDelay(RetryDelayGeneratorArguments<object> args) =>
        new(args.Outcome.Exception is { } exception && ErrorClassifier.Classify(exception, args.Context.CancellationToken).RetryAfter is { } retryAfter && retryAfter >= TimeSpan.Zero
            ? retryAfter
            : null);

    private ValueTask OnRetry(OnRetryArguments<object> args)
    {
        if (!args.Context.Properties.TryGetValue(ContextKey, out var context) || context is null)
        {
            return default;
        }

        context.RetryCount++;
        try
        {
            if (context.GenerationActivity is { IsAllDataRequested: true } activity)
            {
                var classification = args.Outcome.Exception is { } exception
                    ? ErrorClassifier.Classify(exception, args.Context.CancellationToken)
                    : default;
                var tags = new ActivityTagsCollection
                {
                    [RetryEventNames.Attempt] = context.RetryCount,
                    [RetryEventNames.Delay] = args.RetryDelay.TotalSeconds,
                    [RetryEventNames.ErrorType] = classification.ErrorType ?? "_OTHER",
                    [RetryEventNames.FromRetryAfter] = classification.RetryAfter is { } retryAfter && retryAfter >= TimeSpan.Zero && retryAfter <= _options.MaxRetryAfter,
                };
                activity.AddEvent(new ActivityEvent(RetryEventNames.EventName, context.TimeProvider.GetUtcNow(), tags));
            }
        }
        catch (Exception)
        {
            // Telemetry never fails the call.
        }

        return default;
    }

    /// <summary>A first attempt's failure, made outside Polly, handed to the Polly pipeline once as the outcome of its first attempt.</summary>
    private sealed class FirstFailure(Exception failure)
    {
        private Exception? _pending = failure;

        public Exception? Take() => Interlocked.Exchange(ref _pending, null);
    }
}
