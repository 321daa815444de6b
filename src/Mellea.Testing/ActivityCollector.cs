using System.Collections.Concurrent;
using System.Diagnostics;

namespace Mellea.Testing;

/// <summary>
/// Collects the spans of one trace from Mellea's sources (or the sources you name), so a test can assert on them.
/// Tests running in parallel each see only their own trace.
/// </summary>
/// <remarks>
/// Start a root activity with <see cref="StartRoot"/>; every span created under it (generation, tool, HTTP) lands here.
/// It also counts spans started against spans stopped, to find leaks.
/// </remarks>
public sealed class ActivityCollector : IDisposable
{
    private static readonly ActivitySource RootSource = new("Mellea.Testing.Root");

    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ConcurrentQueue<Activity> _started = new();
    private readonly ConcurrentQueue<IReadOnlyList<KeyValuePair<string, object?>>> _samplerTags = new();
    private ActivityTraceId _traceId;

    /// <summary>Listens to Mellea's generation and application sources, the root source, and <paramref name="extraSources"/>.</summary>
    /// <param name="extraSources">More source names to collect (for example <c>System.Net.Http</c>).</param>
    public ActivityCollector(params string[] extraSources)
    {
        var names = new HashSet<string>(extraSources, StringComparer.Ordinal)
        {
            MelleaTelemetry.GenerationSourceName,
            MelleaTelemetry.ApplicationSourceName,
            RootSource.Name,
        };
        _listener = new ActivityListener
        {
            ShouldListenTo = source => names.Contains(source.Name),
            Sample = Sample,
            ActivityStarted = activity =>
            {
                if (activity.TraceId == _traceId)
                {
                    _started.Enqueue(activity);
                }
            },
            ActivityStopped = activity =>
            {
                if (activity.TraceId == _traceId)
                {
                    _stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The spans that ended, in the order they ended (the root excluded).</summary>
    public IReadOnlyList<Activity> Stopped => [.. _stopped.Where(a => a.Source != RootSource)];

    /// <summary>The spans that started (the root excluded).</summary>
    public IReadOnlyList<Activity> Started => [.. _started.Where(a => a.Source != RootSource)];

    /// <summary>The tags each span had when it was created: what a sampler sees.</summary>
    public IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>> SamplerTags => [.. _samplerTags];

    /// <summary>The ended generation spans.</summary>
    public IReadOnlyList<Activity> GenerationSpans => [.. Stopped.Where(a => a.Source.Name == MelleaTelemetry.GenerationSourceName)];

    /// <summary>Starts the root of this collector's trace and makes it current. Dispose it at the end of the test.</summary>
    /// <param name="name">The root's name.</param>
    public Activity StartRoot(string name = "test")
    {
        var root = new Activity(name);
        root.SetIdFormat(ActivityIdFormat.W3C);
        root.Start();
        root.Stop();
        _traceId = root.TraceId;

        // A started root on our own source, current for the caller, so children join the trace.
        var current = RootSource.StartActivity(name, ActivityKind.Internal, new ActivityContext(root.TraceId, root.SpanId, ActivityTraceFlags.Recorded))
            ?? throw new InvalidOperationException("The root source has no listener.");
        return current;
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        if (options.TraceId != _traceId || _traceId == default)
        {
            return ActivitySamplingResult.None;
        }

        if (options.Source != RootSource)
        {
            _samplerTags.Enqueue([.. options.Tags ?? []]);
        }

        return ActivitySamplingResult.AllDataAndRecorded;
    }
}
