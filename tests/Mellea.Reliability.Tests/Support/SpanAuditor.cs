using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// Counts the Mellea spans of one trace as they start and stop, and scans each stopped span for secrets at once, keeping
/// nothing else: the soak's memory bound is not spent on the spans it audits.
/// </summary>
internal sealed class SpanAuditor : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<string> _leaks = new();
    private readonly Func<IReadOnlyList<string>> _secrets;
    private ActivityTraceId _traceId;
    private long _started;
    private long _stopped;
    private long _errors;

    public SpanAuditor(Func<IReadOnlyList<string>> secrets)
    {
        _secrets = secrets;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is MelleaTelemetry.GenerationSourceName or MelleaTelemetry.ApplicationSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) =>
                options.TraceId == _traceId && _traceId != default ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStarted = activity =>
            {
                if (activity.TraceId == _traceId)
                {
                    Interlocked.Increment(ref _started);
                }
            },
            ActivityStopped = Audit,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public long Started => Interlocked.Read(ref _started);

    public long Stopped => Interlocked.Read(ref _stopped);

    public long ErrorSpans => Interlocked.Read(ref _errors);

    public IReadOnlyList<string> Leaks => [.. _leaks];

    /// <summary>Starts the trace every audited call runs under; dispose it after the calls.</summary>
    public Activity StartRoot()
    {
        // A plain activity, current for the caller: the calls' spans join its trace, and only that trace is audited.
        var root = new Activity("soak");
        root.SetIdFormat(ActivityIdFormat.W3C);
        root.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        _traceId = default;
        root.Start();
        _traceId = root.TraceId;
        return root;
    }

    public void Dispose() => _listener.Dispose();

    private void Audit(Activity activity)
    {
        if (activity.TraceId != _traceId)
        {
            return;
        }

        Interlocked.Increment(ref _stopped);
        if (activity.Status == ActivityStatusCode.Error)
        {
            Interlocked.Increment(ref _errors);
        }

        if (_leaks.Count < 20)
        {
            foreach (var leak in Emitted.Leaks([("span " + activity.DisplayName, Emitted.Describe(activity))], _secrets(), promptAllowed: false))
            {
                _leaks.Enqueue(leak);
            }
        }
    }
}
