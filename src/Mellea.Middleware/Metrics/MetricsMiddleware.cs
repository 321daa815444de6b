using System.Diagnostics;
using System.Diagnostics.Metrics;

using Mellea.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mellea;

/// <summary>
/// Records the OpenTelemetry GenAI client metrics and Mellea's own for every call through the pipeline, once per logical
/// call when it sits outside the retry middleware (the default order): see <see cref="MelleaMetrics"/> for the instruments.
/// </summary>
/// <remarks>
/// <para><b>Agreement with tracing.</b> The duration comes from <see cref="GenerationContext.EnsureEnded"/>, the time to first
/// chunk from <see cref="GenerationContext.TimeToFirstChunk"/>, and <c>error.type</c> and <c>mellea.error.category</c> from
/// <see cref="GenerationContext.ClassifyFailure"/>, exactly as the tracing middleware reads them, so a span and its metrics agree.</para>
/// <para><b>Cancellation is not an error.</b> When the caller cancels, or abandons a stream, nothing is recorded on
/// <c>gen_ai.client.operation.duration</c> or <c>mellea.llm.errors</c>: the duration of a call cut short measures the caller,
/// not the provider, and counting it either as a success or as a failure would distort both. What was measured for certain
/// is still recorded: the time to first chunk, the retries, and tokens and cost if the usage had arrived.</para>
/// <para><b>Retries.</b> <c>mellea.llm.retries</c> counts how much <see cref="GenerationContext.RetryCount"/> grew while this
/// middleware's <c>next</c> ran: with retry inside metrics (the default order) that is the attempts after the first; with
/// retry outside metrics each attempt is recorded as its own operation and no retries are counted here.</para>
/// <para><b>Cost.</b> A cost the provider reports (<see cref="GenerationMetadata.ReportedCostUsd"/>) is recorded as is; otherwise
/// the <see cref="MetricsOptions.PriceTable"/> prices the usage. Without either, no cost is recorded.</para>
/// <para><b>Cost of observing.</b> With no listener on any instrument the middleware calls <c>next</c> and allocates nothing.
/// With listeners it allocates nothing per call for chat and raw calls unless enrichment is active; a stream whose
/// <c>time_per_output_chunk</c> is listened to allocates one small forwarding sink. Metrics never throw into the caller.</para>
/// <para>Thread-safe: one instance serves concurrent calls.</para>
/// </remarks>
public sealed class MetricsMiddleware : IGenerationMiddleware
{
    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;

    private readonly Histogram<double> _duration;
    private readonly Histogram<long> _tokens;
    private readonly Histogram<double> _timeToFirstChunk;
    private readonly Histogram<double> _timePerChunk;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _retries;
    private readonly Counter<double> _cost;
    private readonly TelemetryEnrichmentOptions? _enrichment;
    private readonly ModelPriceTable? _prices;
    private readonly ILogger _logger;
    private object? _boxedPort;

    /// <summary>Creates the middleware and its instruments.</summary>
    /// <param name="options">The options; defaults when null.</param>
    public MetricsMiddleware(MetricsOptions? options = null)
    {
        options ??= new MetricsOptions();
        var meter = options.Meter
            ?? options.MeterFactory?.Create(new MeterOptions(MelleaTelemetry.MeterName) { Version = MelleaTelemetry.Version })
            ?? MelleaTelemetry.Meter;
        Meter = meter;
        _logger = options.LoggerFactory?.CreateLogger<MetricsMiddleware>() ?? (ILogger)NullLogger.Instance;
        _enrichment = options.Enrichment;
        _prices = options.PriceTable ?? ModelPriceTable.FromEnvironment(options.Environment ?? TelemetryEnvironment.Process, _logger);

        var durationAdvice = new InstrumentAdvice<double> { HistogramBucketBoundaries = MelleaMetrics.DurationBuckets };
        _duration = meter.CreateHistogram(MelleaMetrics.OperationDuration, MelleaMetrics.SecondsUnit, MelleaMetrics.OperationDurationDescription, tags: null, durationAdvice);
        _tokens = meter.CreateHistogram(
            MelleaMetrics.TokenUsage,
            MelleaMetrics.TokenUnit,
            MelleaMetrics.TokenUsageDescription,
            tags: null,
            new InstrumentAdvice<long> { HistogramBucketBoundaries = MelleaMetrics.TokenBuckets });
        _timeToFirstChunk = meter.CreateHistogram(MelleaMetrics.TimeToFirstChunk, MelleaMetrics.SecondsUnit, MelleaMetrics.TimeToFirstChunkDescription, tags: null, durationAdvice);
        _timePerChunk = meter.CreateHistogram(MelleaMetrics.TimePerOutputChunk, MelleaMetrics.SecondsUnit, MelleaMetrics.TimePerOutputChunkDescription, tags: null, durationAdvice);
        _errors = meter.CreateCounter<long>(MelleaMetrics.Errors, MelleaMetrics.ErrorUnit, MelleaMetrics.ErrorsDescription);
        _retries = meter.CreateCounter<long>(MelleaMetrics.Retries, MelleaMetrics.RetryUnit, MelleaMetrics.RetriesDescription);
        _cost = meter.CreateCounter<double>(MelleaMetrics.CostUsd, MelleaMetrics.CostUnit, MelleaMetrics.CostUsdDescription);
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter { get; }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(GenerationContext context, GenerationDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);

        // Nobody listens: pass the call through untouched, so the middleware costs a few flag reads and no allocation.
        if (!(_duration.Enabled || _tokens.Enabled || _timeToFirstChunk.Enabled || _timePerChunk.Enabled || _errors.Enabled || _retries.Enabled || _cost.Enabled))
        {
            return next(context);
        }

        return ObserveAsync(context, next);
    }

    /// <inheritdoc/>
    public override string ToString() => $"MetricsMiddleware({Meter.Name})";

    /// <summary>The tags every metric of the call carries: operation, provider, models, server, and the allowed caller tags.</summary>
    internal TagList CommonTags(GenerationContext context, string? requestModel, bool withResponseModel)
    {
        var tags = default(TagList);
        tags.Add(GenAiAttributes.OperationName, context.Operation.ToOperationName());
        tags.Add(GenAiAttributes.ProviderName, context.Handler.ProviderName);
        if (requestModel is not null)
        {
            tags.Add(GenAiAttributes.RequestModel, requestModel);
        }

        if (withResponseModel && context.Metadata?.ResponseModel is { } responseModel)
        {
            tags.Add(GenAiAttributes.ResponseModel, responseModel);
        }

        if (context.Handler.ServerAddress is { } address)
        {
            tags.Add(GenAiAttributes.ServerAddress, address);
            if (context.Handler.ServerPort is { } port)
            {
                tags.Add(GenAiAttributes.ServerPort, BoxPort(port));
            }
        }

        _enrichment?.AddTo(context, ref tags);
        return tags;
    }

    internal void RecordChunkGap(double seconds, in TagList tags) => _timePerChunk.Record(seconds, in tags);

    private static TagList With(in TagList common, string key, object? value)
    {
        var tags = default(TagList);
        for (var i = 0; i < common.Count; i++)
        {
            tags.Add(common[i]);
        }

        tags.Add(key, value);
        return tags;
    }

    private async ValueTask ObserveAsync(GenerationContext context, GenerationDelegate next)
    {
        context.BeginObservation();
        var requestModel = context.RequestModel;
        var retriesBefore = context.RetryCount;
        GenerationUpdateSink? original = null;
        ChunkTimingSink? chunkTiming = null;
        if (context.IsStreaming && _timePerChunk.Enabled)
        {
            original = context.Updates;
            try
            {
                chunkTiming = new ChunkTimingSink(original, this, context, CommonTags(context, requestModel, withResponseModel: false));
                context.Updates = chunkTiming;
            }
            catch (Exception)
            {
                // Enrichment or tag building failed: observe the stream without per-chunk timing rather than fail the call.
                original = null;
            }
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
            if (original is not null)
            {
                context.Updates = original;
            }

            // The gaps of the last chunks, on success, failure, cancellation and abandonment alike.
            chunkTiming?.Flush();

            try
            {
                Record(context, requestModel ?? context.RequestModel, retriesBefore, failure);
            }
            catch (Exception ex)
            {
                // Metrics never throw into the caller; a failing exporter callback or enrichment hook is logged, not raised.
                _logger.LogDebug(ex, "Recording the metrics of a generation call failed.");
            }

            context.EndObservation();
        }
    }

    private void Record(GenerationContext context, string? requestModel, int retriesBefore, Exception? failure)
    {
        var classification = failure is null ? default : context.ClassifyFailure(failure);
        var cancelled = failure is not null && classification.IsCancellation;
        var common = CommonTags(context, requestModel, withResponseModel: true);

        if (_duration.Enabled && !cancelled)
        {
            var duration = context.EnsureEnded().TotalSeconds;
            var tags = With(common, GenAiAttributes.RequestStream, context.IsStreaming ? BoxedTrue : BoxedFalse);
            if (failure is not null)
            {
                tags.Add(GenAiAttributes.ErrorType, classification.ErrorType);
            }

            _duration.Record(duration, in tags);
        }

        if (failure is not null && !cancelled && _errors.Enabled)
        {
            var tags = With(common, GenAiAttributes.ErrorType, classification.ErrorType);
            tags.Add(GenAiAttributes.MelleaErrorCategory, classification.Category.ToWireName());
            _errors.Add(1, in tags);
        }

        if (context.IsStreaming && _timeToFirstChunk.Enabled && context.TimeToFirstChunk is { } ttfc)
        {
            _timeToFirstChunk.Record(ttfc.TotalSeconds, in common);
        }

        var retries = context.RetryCount - retriesBefore;
        if (retries > 0 && _retries.Enabled)
        {
            _retries.Add(retries, in common);
        }

        if (context.Metadata is not { } metadata)
        {
            return;
        }

        if (metadata.Usage is { } usage && _tokens.Enabled)
        {
            if (usage.InputTokens is { } input)
            {
                var tags = With(common, GenAiAttributes.TokenType, GenAiAttributes.Values.TokenTypeInput);
                _tokens.Record(input, in tags);
            }

            if (usage.OutputTokens is { } output)
            {
                var tags = With(common, GenAiAttributes.TokenType, GenAiAttributes.Values.TokenTypeOutput);
                _tokens.Record(output, in tags);
            }
        }

        if (_cost.Enabled)
        {
            var cost = metadata.ReportedCostUsd
                ?? (metadata.Usage is { } priced && _prices is not null
                    ? _prices.ComputeCost(requestModel, metadata.ResponseModel, context.Handler.ProviderName, priced)
                    : null);
            if (cost is { } usd && double.IsFinite(usd) && usd >= 0)
            {
                _cost.Add(usd, in common);
            }
        }
    }

    private object BoxPort(int port)
    {
        // server.port is the same for every call of a pipeline: box it once instead of once per data point.
        var boxed = _boxedPort;
        if (boxed is int cached && cached == port)
        {
            return boxed;
        }

        boxed = port;
        _boxedPort = boxed;
        return boxed;
    }
}
