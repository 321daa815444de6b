using System.Collections;
using System.Globalization;
using System.Text;

namespace Mellea.Telemetry.Bootstrap;

/// <summary>Writes tag values the way the console exporters show them: invariant culture, arrays in brackets, strings quoted.</summary>
internal static class TelemetryValueFormatter
{
    public static void AppendTags(StringBuilder builder, IEnumerable<KeyValuePair<string, object?>> tags)
    {
        var first = true;
        foreach (var tag in tags)
        {
            builder.Append(first ? " {" : ", ").Append(tag.Key).Append('=');
            AppendValue(builder, tag.Value);
            first = false;
        }

        if (!first)
        {
            builder.Append('}');
        }
    }

    public static void AppendValue(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string text:
                builder.Append('"').Append(text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)).Append('"');
                break;
            case bool flag:
                builder.Append(flag ? "true" : "false");
                break;
            case IFormattable formattable:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            case IEnumerable items:
                builder.Append('[');
                var first = true;
                foreach (var item in items)
                {
                    if (!first)
                    {
                        builder.Append(", ");
                    }

                    AppendValue(builder, item);
                    first = false;
                }

                builder.Append(']');
                break;
            default:
                builder.Append(value);
                break;
        }
    }

    public static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
