using System.Diagnostics;
using System.Text;

namespace Mellea.Reliability.Tests.Support;

/// <summary>Everything a call can leak through, flattened to text: spans (name, tags, events and their tags, status, links' baggage), metrics, logs, exceptions.</summary>
internal static class Emitted
{
    public static string Describe(Activity activity)
    {
        var text = new StringBuilder();
        text.Append(activity.DisplayName).Append(' ').Append(activity.OperationName).Append(' ').Append(activity.StatusDescription).Append('\n');
        foreach (var tag in activity.TagObjects)
        {
            text.Append(tag.Key).Append('=').Append(tag.Value is System.Collections.IEnumerable items and not string ? string.Join(",", items.Cast<object?>()) : tag.Value).Append('\n');
        }

        foreach (var activityEvent in activity.Events)
        {
            text.Append("event ").Append(activityEvent.Name).Append('\n');
            foreach (var tag in activityEvent.Tags)
            {
                text.Append("  ").Append(tag.Key).Append('=').Append(tag.Value).Append('\n');
            }
        }

        foreach (var baggage in activity.Baggage)
        {
            text.Append("baggage ").Append(baggage.Key).Append('=').Append(baggage.Value).Append('\n');
        }

        return text.ToString();
    }

    public static string Describe(Exception exception)
    {
        var text = new StringBuilder();
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            text.Append(current.Message).Append('\n').Append(current.ToString()).Append('\n');
            if (current is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    text.Append(Describe(inner));
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The secrets (and, unless allowed, the prompt marker) found in <paramref name="texts"/>, with where they were found.</summary>
    public static List<string> Leaks(IEnumerable<(string Where, string Text)> texts, IReadOnlyList<string> secrets, bool promptAllowed)
    {
        var leaks = new List<string>();
        foreach (var (where, text) in texts)
        {
            foreach (var secret in secrets)
            {
                if (text.Contains(secret, StringComparison.Ordinal))
                {
                    leaks.Add($"{where} contains the secret {secret[..Math.Min(8, secret.Length)]}…: {Excerpt(text, secret)}");
                }
            }

            if (!promptAllowed && text.Contains(Markers.Prompt, StringComparison.Ordinal))
            {
                leaks.Add($"{where} contains the prompt: {Excerpt(text, Markers.Prompt)}");
            }
        }

        return leaks;
    }

    private static string Excerpt(string text, string needle)
    {
        var at = text.IndexOf(needle, StringComparison.Ordinal);
        var start = Math.Max(0, at - 60);
        return text.Substring(start, Math.Min(text.Length - start, needle.Length + 120)).Replace('\n', ' ');
    }
}
