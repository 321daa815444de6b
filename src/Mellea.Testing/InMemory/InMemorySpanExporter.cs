using System.Diagnostics;
using OpenTelemetry;

namespace Mellea.Testing;

/// <summary>
/// Keeps every exported span in memory, so a test can assert on what its pipeline emitted through the real
/// OpenTelemetry SDK (sampling, processors and all). Add it with
/// <see cref="InMemoryExporterProviderBuilderExtensions.AddInMemoryExporter(OpenTelemetry.Trace.TracerProviderBuilder, InMemorySpanExporter)"/>.
/// </summary>
/// <remarks>Thread-safe. Spans are kept in export order.</remarks>
public sealed class InMemorySpanExporter : BaseExporter<Activity>
{
    private readonly Lock _gate = new();
    private readonly List<Activity> _spans = [];

    /// <summary>A copy of the spans exported so far.</summary>
    public IReadOnlyList<Activity> Spans
    {
        get
        {
            lock (_gate)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Forgets the spans exported so far.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _spans.Clear();
        }
    }

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Activity> batch)
    {
        lock (_gate)
        {
            foreach (var activity in batch)
            {
                _spans.Add(activity);
            }
        }

        return ExportResult.Success;
    }
}
