using System.Diagnostics;

namespace Mellea.Tracing;

/// <summary>
/// Per-middleware caches that keep a traced call's allocations down to what the span itself needs: the span name and
/// the sampling tags of the last (handler, operation, model) seen, boxed values that repeat from call to call, and the
/// finish-reason arrays. Each cache holds one immutable entry and is replaced, never mutated, so concurrent calls can
/// share it without locks; a miss only costs what an uncached call would.
/// </summary>
internal sealed class SpanTagCache
{
    private readonly string[][] _finishReasons =
    [
        [],
        ["stop"],
        ["length"],
        ["tool_call"],
        ["content_filter"],
        ["error"],
    ];

    // Token counts below this are boxed once per middleware and reused: most outputs and many prompts are that short,
    // and each count is a 24 B box on every listened call otherwise. 8 KB per middleware; larger counts box as before.
    private const int SmallTokenCounts = 1024;

    private readonly object?[] _tokenBoxes = new object?[SmallTokenCounts];

    private StartEntry? _start;

    public BoxCache<double> Temperature { get; } = new();

    public BoxCache<double> TopP { get; } = new();

    public BoxCache<int> TopK { get; } = new();

    public BoxCache<int> MaxTokens { get; } = new();

    public BoxCache<long> Seed { get; } = new();

    public BoxCache<int> ContextSize { get; } = new();

    public BoxCache<int> ToolCount { get; } = new();

    /// <summary>The span name and sampling tags for this call.</summary>
    public StartEntry GetStart(GenerationHandlerInfo handler, GenerationOperation operation, string? model)
    {
        var entry = Volatile.Read(ref _start);
        if (entry is not null && ReferenceEquals(entry.Handler, handler) && entry.Operation == operation && string.Equals(entry.Model, model, StringComparison.Ordinal))
        {
            return entry;
        }

        entry = new StartEntry(handler, operation, model);
        Volatile.Write(ref _start, entry);
        return entry;
    }

    /// <summary>A token count as a boxed <see cref="long"/>, shared for small counts. Boxes are immutable, so sharing is safe.</summary>
    public object BoxTokens(long value)
    {
        if ((ulong)value < SmallTokenCounts)
        {
            // A race only boxes the same value twice; either box is correct.
            return _tokenBoxes[value] ??= value;
        }

        return value;
    }

    /// <summary>The finish reasons as an array; a shared array for the common single-choice case. Never mutated by anyone.</summary>
    public string[] FinishReasons(IReadOnlyList<FinishReason> reasons)
    {
        if (reasons.Count == 1 && reasons[0].Kind != FinishReasonKind.Other)
        {
            return _finishReasons[(int)reasons[0].Kind];
        }

        var values = new string[reasons.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reasons[i].Value;
        }

        return values;
    }

    /// <summary>The constant part of a span's start: its name and the tags a sampler sees.</summary>
    internal sealed class StartEntry
    {
        public StartEntry(GenerationHandlerInfo handler, GenerationOperation operation, string? model)
        {
            Handler = handler;
            Operation = operation;
            Model = model;
            var operationName = operation.ToOperationName();
            Name = model is null ? operationName : $"{operationName} {model}";
            var tags = new List<KeyValuePair<string, object?>>(5)
            {
                new(GenAiAttributes.OperationName, operationName),
                new(GenAiAttributes.ProviderName, handler.ProviderName),
            };
            if (model is not null)
            {
                tags.Add(new(GenAiAttributes.RequestModel, model));
            }

            if (handler.ServerAddress is not null)
            {
                tags.Add(new(GenAiAttributes.ServerAddress, handler.ServerAddress));
                tags.Add(new(GenAiAttributes.ServerPort, handler.ServerPort));
            }

            Tags = new StartTags([.. tags]);
        }

        public GenerationHandlerInfo Handler { get; }

        public GenerationOperation Operation { get; }

        public string? Model { get; }

        public string Name { get; }

        public StartTags Tags { get; }
    }
}

/// <summary>Remembers the last boxed value, so that a value that repeats (a temperature, a max-token limit) is boxed once.</summary>
internal sealed class BoxCache<T>
    where T : struct, IEquatable<T>
{
    private Entry? _last;

    public object Box(T value)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && last.Value.Equals(value))
        {
            return last.Boxed;
        }

        last = new Entry(value);
        Volatile.Write(ref _last, last);
        return last.Boxed;
    }

    private sealed class Entry(T value)
    {
        public T Value { get; } = value;

        public object Boxed { get; } = value;
    }
}

/// <summary>Sets a tag only when the value is present, boxing through a cache.</summary>
internal static class ActivityTagExtensions
{
    public static void SetCached<T>(this Activity activity, string key, T? value, BoxCache<T> cache)
        where T : struct, IEquatable<T>
    {
        if (value is { } v)
        {
            activity.SetTag(key, cache.Box(v));
        }
    }
}
