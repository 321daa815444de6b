using System.Diagnostics;
using System.Text;
using Mellea.Telemetry.Bootstrap;
using OpenTelemetry;

namespace Mellea;

/// <summary>
/// Writes each finished span as one readable block: a line with name, kind, status, duration, ids and attributes, then
/// one indented line per event. For development; production exports over OTLP.
/// </summary>
/// <remarks>Never throws: a writer that fails makes the batch fail, which the SDK drops.</remarks>
public sealed class MelleaConsoleSpanExporter : BaseExporter<Activity>
{
    private readonly TextWriter _writer;
    private readonly Lock _gate = new();

    /// <summary>Creates an exporter that writes to standard output.</summary>
    public MelleaConsoleSpanExporter()
        : this(Console.Out)
    {
    }

    /// <summary>Creates an exporter that writes to <paramref name="writer"/>.</summary>
    /// <param name="writer">The destination. Calls are serialized, so it need not be thread-safe.</param>
    public MelleaConsoleSpanExporter(TextWriter writer) => _writer = writer ?? throw new ArgumentNullException(nameof(writer));

    /// <inheritdoc/>
    public override ExportResult Export(in Batch<Activity> batch)
    {
        try
        {
            var text = new StringBuilder();
            foreach (var activity in batch)
            {
                Format(activity, text);
            }

            lock (_gate)
            {
                _writer.Write(text.ToString());
                _writer.Flush();
            }

            return ExportResult.Success;
        }
        catch (Exception)
        {
            return ExportResult.Failure;
        }
    }

    /// <summary>Formats one span as the exporter writes it.</summary>
    /// <param name="activity">The finished span.</param>
    /// <returns>The block, ending in a newline.</returns>
    public static string Format(Activity activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var text = new StringBuilder();
        Format(activity, text);
        return text.ToString();
    }

    private static void Format(Activity activity, StringBuilder text)
    {
        text.Append("span ").Append('"').Append(activity.DisplayName).Append('"')
            .Append(" kind=").Append(activity.Kind)
            .Append(" status=").Append(activity.Status);
        if (!string.IsNullOrEmpty(activity.StatusDescription))
        {
            text.Append("(\"").Append(activity.StatusDescription).Append("\")");
        }

        text.Append(" duration=").Append(TelemetryValueFormatter.Number(activity.Duration.TotalMilliseconds)).Append("ms")
            .Append(" source=").Append(activity.Source.Name)
            .Append(" trace=").Append(activity.TraceId.ToHexString())
            .Append(" span=").Append(activity.SpanId.ToHexString());
        if (activity.ParentSpanId != default)
        {
            text.Append(" parent=").Append(activity.ParentSpanId.ToHexString());
        }

        TelemetryValueFormatter.AppendTags(text, activity.TagObjects);
        text.Append('\n');
        foreach (var activityEvent in activity.Events)
        {
            text.Append("  event \"").Append(activityEvent.Name).Append("\" at +")
                .Append(TelemetryValueFormatter.Number((activityEvent.Timestamp - activity.StartTimeUtc).TotalMilliseconds)).Append("ms");
            TelemetryValueFormatter.AppendTags(text, activityEvent.Tags);
            text.Append('\n');
        }
    }
}
