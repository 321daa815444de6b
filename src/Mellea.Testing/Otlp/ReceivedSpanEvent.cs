namespace Mellea.Testing;

/// <summary>An event of a <see cref="ReceivedSpan"/>.</summary>
public sealed class ReceivedSpanEvent
{
    /// <summary>The event name.</summary>
    public required string Name { get; init; }

    /// <summary>The time of the event, in nanoseconds since the Unix epoch.</summary>
    public ulong TimeUnixNano { get; init; }

    /// <summary>The event's attributes.</summary>
    public required IReadOnlyDictionary<string, object?> Attributes { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Attributes.Count} attribute(s))";
}
