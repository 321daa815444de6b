using System.Collections.ObjectModel;

namespace Mellea;

/// <summary>
/// The names, units, descriptions and histogram bucket boundaries of every metric the <see cref="MetricsMiddleware"/>
/// records, in one place. The histograms carry their buckets as <see cref="System.Diagnostics.Metrics.InstrumentAdvice{T}"/>,
/// so an OpenTelemetry SDK that honours advice (1.10 and later) uses them without a view; the lists are public for an
/// exporter that needs an explicit view.
/// </summary>
/// <remarks>
/// Names and buckets follow the OpenTelemetry GenAI semantic conventions (client metrics) and Python Mellea's
/// <c>mellea.*</c> extensions, so one dashboard serves both. All instruments live on the <see cref="MelleaTelemetry.MeterName"/> meter.
/// </remarks>
public static class MelleaMetrics
{
    /// <summary><c>gen_ai.client.operation.duration</c>: histogram of the logical call's duration, in seconds.</summary>
    public const string OperationDuration = "gen_ai.client.operation.duration";

    /// <summary><c>gen_ai.client.token.usage</c>: histogram of input and output tokens per call (<c>gen_ai.token.type</c>).</summary>
    public const string TokenUsage = "gen_ai.client.token.usage";

    /// <summary><c>gen_ai.client.operation.time_to_first_chunk</c>: histogram, streams only, in seconds.</summary>
    public const string TimeToFirstChunk = "gen_ai.client.operation.time_to_first_chunk";

    /// <summary><c>gen_ai.client.operation.time_per_output_chunk</c>: histogram of the gap before each chunk after the first, streams only, in seconds.</summary>
    public const string TimePerOutputChunk = "gen_ai.client.operation.time_per_output_chunk";

    /// <summary><c>mellea.llm.errors</c>: counter of failed calls, by <c>mellea.error.category</c> and <c>error.type</c>.</summary>
    public const string Errors = "mellea.llm.errors";

    /// <summary><c>mellea.llm.retries</c>: counter of the attempts after the first.</summary>
    public const string Retries = "mellea.llm.retries";

    /// <summary><c>mellea.llm.cost.usd</c>: counter of the calls' cost in US dollars.</summary>
    public const string CostUsd = "mellea.llm.cost.usd";

    /// <summary>Unit of the duration histograms: seconds.</summary>
    public const string SecondsUnit = "s";

    /// <summary>Unit of <see cref="TokenUsage"/>.</summary>
    public const string TokenUnit = "{token}";

    /// <summary>Unit of <see cref="Errors"/>.</summary>
    public const string ErrorUnit = "{error}";

    /// <summary>Unit of <see cref="Retries"/>.</summary>
    public const string RetryUnit = "{retry}";

    /// <summary>Unit of <see cref="CostUsd"/>.</summary>
    public const string CostUnit = "USD";

    /// <summary>Description of <see cref="OperationDuration"/>.</summary>
    public const string OperationDurationDescription = "GenAI operation duration.";

    /// <summary>Description of <see cref="TokenUsage"/>.</summary>
    public const string TokenUsageDescription = "Number of input and output tokens used.";

    /// <summary>Description of <see cref="TimeToFirstChunk"/>.</summary>
    public const string TimeToFirstChunkDescription = "Time to receive the first chunk of a streamed response.";

    /// <summary>Description of <see cref="TimePerOutputChunk"/>.</summary>
    public const string TimePerOutputChunkDescription = "Time between consecutive chunks of a streamed response.";

    /// <summary>Description of <see cref="Errors"/>.</summary>
    public const string ErrorsDescription = "Failed LLM calls, by error category.";

    /// <summary>Description of <see cref="Retries"/>.</summary>
    public const string RetriesDescription = "Attempts after the first one of LLM calls.";

    /// <summary>Description of <see cref="CostUsd"/>.</summary>
    public const string CostUsdDescription = "Cost of LLM calls in US dollars.";

    /// <summary>
    /// Bucket boundaries (seconds) of <see cref="OperationDuration"/>, <see cref="TimeToFirstChunk"/> and
    /// <see cref="TimePerOutputChunk"/>: 0.01 doubling to 81.92.
    /// </summary>
    public static IReadOnlyList<double> DurationBuckets { get; } =
        new ReadOnlyCollection<double>([0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]);

    /// <summary>Bucket boundaries of <see cref="TokenUsage"/>: 1 quadrupling to 67108864.</summary>
    public static IReadOnlyList<long> TokenBuckets { get; } =
        new ReadOnlyCollection<long>([1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864]);

    /// <summary>The names of the histograms that use <see cref="DurationBuckets"/>.</summary>
    public static IReadOnlyList<string> DurationHistograms { get; } =
        new ReadOnlyCollection<string>([OperationDuration, TimeToFirstChunk, TimePerOutputChunk]);
}
