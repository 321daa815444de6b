using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Mellea.Cli.Demo;

/// <summary>
/// Renders finished spans as a Spectre.Console tree: each demo step is a root, with the generation, tool and HTTP spans
/// under it as they were parented, their key attributes on one dim line and their events (retries, first chunk,
/// exceptions) as leaves.
/// </summary>
internal static class SpanTreeView
{
    /// <summary>The attributes worth a glance, in the order they read best.</summary>
    private static readonly string[] KeyAttributes =
    [
        GenAiAttributes.ProviderName,
        GenAiAttributes.RequestModel,
        GenAiAttributes.ResponseModel,
        GenAiAttributes.UsageInputTokens,
        GenAiAttributes.UsageOutputTokens,
        GenAiAttributes.ResponseFinishReasons,
        GenAiAttributes.ResponseTimeToFirstChunk,
        GenAiAttributes.MelleaRequestPromptCount,
        GenAiAttributes.MelleaRetryAttempts,
        GenAiAttributes.ToolName,
        GenAiAttributes.ToolCallId,
        GenAiAttributes.ErrorType,
        GenAiAttributes.MelleaErrorCategory,
        GenAiAttributes.MelleaOutcome,
        "http.response.status_code",
    ];

    /// <summary>Builds the tree.</summary>
    /// <param name="spans">The finished spans.</param>
    public static Tree Build(IReadOnlyList<Activity> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var known = spans.Select(span => span.SpanId).ToHashSet();
        var children = spans
            .Where(span => span.ParentSpanId != default && known.Contains(span.ParentSpanId))
            .GroupBy(span => span.ParentSpanId)
            .ToDictionary(group => group.Key, group => group.OrderBy(span => span.StartTimeUtc).ToList());
        var tree = new Tree("[bold]Spans[/] [grey](mellea.backend, mellea.application, System.Net.Http; under one root span per step)[/]");
        foreach (var root in spans.Where(span => span.ParentSpanId == default || !known.Contains(span.ParentSpanId)).OrderBy(span => span.StartTimeUtc))
        {
            Add(tree.AddNode(Label(root)), root, children);
        }

        return tree;
    }

    private static void Add(TreeNode node, Activity span, Dictionary<ActivitySpanId, List<Activity>> children)
    {
        if (Attributes(span) is { Length: > 0 } attributes)
        {
            node.AddNode($"[grey]{Markup.Escape(attributes)}[/]");
        }

        foreach (var spanEvent in span.Events)
        {
            node.AddNode($"[yellow]event[/] {Markup.Escape(spanEvent.Name)} [grey]{Markup.Escape(EventTags(spanEvent))}[/]");
        }

        if (children.TryGetValue(span.SpanId, out var kids))
        {
            foreach (var child in kids)
            {
                Add(node.AddNode(Label(child)), child, children);
            }
        }
    }

    private static string Label(Activity span)
    {
        var name = span.Source.Name == DemoTelemetryRecorder.HttpSourceName && span.GetTagItem("url.full") is string url
            ? $"HTTP {span.DisplayName} {new Uri(url).AbsolutePath}"
            : span.DisplayName;
        var colour = span.Source.Name switch
        {
            DemoTelemetryRecorder.DemoSourceName => "bold",
            MelleaTelemetry.GenerationSourceName => "bold deepskyblue1",
            MelleaTelemetry.ApplicationSourceName => "bold mediumpurple1",
            _ => "steelblue",
        };
        var status = span.Status == ActivityStatusCode.Error ? " [red]✗ error[/]" : string.Empty;
        var kind = span.Source.Name == DemoTelemetryRecorder.DemoSourceName ? string.Empty : $" [grey]{span.Kind.ToString().ToUpperInvariant()}[/]";
        return $"[{colour}]{Markup.Escape(name)}[/]{kind} [grey]{span.Duration.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)} ms[/]{status}";
    }

    private static string Attributes(Activity span) =>
        string.Join("  ", KeyAttributes
            .Select(key => (key, value: span.GetTagItem(key)))
            .Where(tag => tag.value is not null)
            .Select(tag => $"{tag.key}={Format(tag.value)}"));

    private static string EventTags(ActivityEvent spanEvent) =>
        string.Join("  ", spanEvent.Tags
            .Where(tag => tag.Key != "exception.stacktrace")
            .Select(tag => $"{tag.Key}={Format(tag.Value)}"));

    private static string Format(object? value) => value switch
    {
        null => "null",
        string text => text.Length > 80 ? string.Concat(text.AsSpan(0, 80), "…") : text,
        double number => number.ToString("0.###", CultureInfo.InvariantCulture),
        IEnumerable<string> texts => $"[{string.Join(",", texts)}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
