namespace Mellea.Testing;

/// <summary>A span decoded from an OTLP export, with the resource and scope it came in.</summary>
public sealed class ReceivedSpan
{
    /// <summary>The trace id, 32 lower-case hex digits.</summary>
    public required string TraceId { get; init; }

    /// <summary>The span id, 16 lower-case hex digits.</summary>
    public required string SpanId { get; init; }

    /// <summary>The parent span id, or null for a root span.</summary>
    public string? ParentSpanId { get; init; }

    /// <summary>The span name, for example <c>chat gpt-4o-mini</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The span kind: <c>Internal</c>, <c>Server</c>, <c>Client</c>, <c>Producer</c>, <c>Consumer</c> or <c>Unspecified</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>The status code: <c>Unset</c>, <c>Ok</c> or <c>Error</c>.</summary>
    public required string StatusCode { get; init; }

    /// <summary>The status description.</summary>
    public string? StatusMessage { get; init; }

    /// <summary>The start time, in nanoseconds since the Unix epoch.</summary>
    public ulong StartTimeUnixNano { get; init; }

    /// <summary>The end time, in nanoseconds since the Unix epoch.</summary>
    public ulong EndTimeUnixNano { get; init; }

    /// <summary>The span's attributes: <see cref="string"/>, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>, or an array of those.</summary>
    public required IReadOnlyDictionary<string, object?> Attributes { get; init; }

    /// <summary>The span's events, in order.</summary>
    public required IReadOnlyList<ReceivedSpanEvent> Events { get; init; }

    /// <summary>The instrumentation scope (the <c>ActivitySource</c> name).</summary>
    public required string ScopeName { get; init; }

    /// <summary>The instrumentation scope's version.</summary>
    public string? ScopeVersion { get; init; }

    /// <summary>The resource attributes of the exporting process.</summary>
    public required IReadOnlyDictionary<string, object?> ResourceAttributes { get; init; }

    /// <summary>The resource's <c>service.name</c>.</summary>
    public string? ServiceName => ResourceAttributes.TryGetValue("service.name", out var name) ? name as string : null;

    /// <inheritdoc/>
    public override string ToString() => $"{ScopeName}: {Name} ({Kind}, {StatusCode}, {Attributes.Count} attribute(s))";
}
