using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Mellea.Tools;

/// <summary>The two tool instruments. Recording never throws into the tool loop.</summary>
internal sealed class ToolMetrics
{
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _calls;

    public ToolMetrics(Meter meter)
    {
        Meter = meter;
        _duration = meter.CreateHistogram(
            ToolInvocationTelemetry.ExecuteToolDuration,
            MelleaMetrics.SecondsUnit,
            "Duration of tool executions.",
            tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = MelleaMetrics.DurationBuckets });
        _calls = meter.CreateCounter<long>(ToolInvocationTelemetry.ToolCalls, "{call}", "Tool calls, by tool name and status.");
    }

    public Meter Meter { get; }

    /// <summary>Records one tool run: its duration (when it ran) and the call count.</summary>
    /// <param name="toolName">The tool's name, or <see cref="ToolInvocationTelemetry.UnknownToolName"/>.</param>
    /// <param name="duration">How long it ran; null when nothing ran (an unknown tool).</param>
    /// <param name="errorType">The <c>error.type</c>, or null on success.</param>
    public void Record(string toolName, TimeSpan? duration, string? errorType)
    {
        try
        {
            if (duration is { } elapsed && _duration.Enabled)
            {
                var tags = new TagList
                {
                    { GenAiAttributes.ToolName, toolName },
                    { GenAiAttributes.ToolType, "function" },
                };
                if (errorType is not null)
                {
                    tags.Add(GenAiAttributes.ErrorType, errorType);
                }

                _duration.Record(elapsed.TotalSeconds, in tags);
            }

            if (_calls.Enabled)
            {
                var tags = new TagList
                {
                    { GenAiAttributes.ToolName, toolName },
                    { ToolInvocationTelemetry.StatusAttribute, errorType is null ? ToolInvocationTelemetry.StatusSuccess : ToolInvocationTelemetry.StatusFailure },
                };
                _calls.Add(1, in tags);
            }
        }
        catch (Exception)
        {
            // Telemetry never fails the tool loop.
        }
    }
}
