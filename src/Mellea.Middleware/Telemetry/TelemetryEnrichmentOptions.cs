using System.Diagnostics;

namespace Mellea;

/// <summary>
/// Caller tags (tenant, feature, end user) that the tracing and metrics middlewares add to spans and to metrics alike.
/// Tags come from <see cref="GenerationOptions.TelemetryTags"/> and from <see cref="Enrich"/>; only keys in
/// <see cref="AllowedTags"/> pass, which keeps metric cardinality bounded.
/// </summary>
/// <remarks>Share one instance between the tracing and metrics middlewares so that both carry the same tags.</remarks>
public sealed class TelemetryEnrichmentOptions
{
    /// <summary>The tag keys that may be emitted. Empty by default: nothing passes until the application allows it.</summary>
    public ISet<string> AllowedTags { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Adds tags from the call (for example the tenant from an ambient scope). Keys outside <see cref="AllowedTags"/> are dropped.</summary>
    public Action<GenerationContext, IDictionary<string, string>>? Enrich { get; set; }

    /// <summary>Whether any tag could pass.</summary>
    public bool IsActive => AllowedTags.Count > 0;

    /// <summary>Adds the allowed caller tags of <paramref name="context"/> to <paramref name="tags"/>.</summary>
    /// <param name="context">The call.</param>
    /// <param name="tags">The metric tags being built.</param>
    public void AddTo(GenerationContext context, ref TagList tags)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!IsActive)
        {
            return;
        }

        foreach (var pair in Collect(context))
        {
            tags.Add(pair.Key, pair.Value);
        }
    }

    /// <summary>Adds the allowed caller tags of <paramref name="context"/> to <paramref name="activity"/>.</summary>
    /// <param name="context">The call.</param>
    /// <param name="activity">The span.</param>
    public void AddTo(GenerationContext context, Activity activity)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(activity);
        if (!IsActive)
        {
            return;
        }

        foreach (var pair in Collect(context))
        {
            activity.SetTag(pair.Key, pair.Value);
        }
    }

    private List<KeyValuePair<string, string>> Collect(GenerationContext context)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (context.Options?.TelemetryTags is { Count: > 0 } requestTags)
        {
            foreach (var pair in requestTags)
            {
                if (AllowedTags.Contains(pair.Key) && pair.Value is not null)
                {
                    result.Add(pair);
                }
            }
        }

        if (Enrich is { } enrich)
        {
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                enrich(context, extra);
            }
            catch (Exception)
            {
                // An enrichment callback that fails must not fail the call; its tags are dropped.
                return result;
            }

            foreach (var pair in extra)
            {
                if (AllowedTags.Contains(pair.Key) && pair.Value is not null)
                {
                    result.RemoveAll(existing => existing.Key == pair.Key);
                    result.Add(pair);
                }
            }
        }

        return result;
    }
}
