namespace Mellea;

/// <summary>
/// Reads Mellea's and OpenTelemetry's environment variables. It reads through a delegate so that tests pass a
/// dictionary instead of changing the process environment, which would leak between tests running in parallel.
/// </summary>
public sealed class TelemetryEnvironment
{
    private readonly Func<string, string?> _read;

    /// <summary>Reads the process environment.</summary>
    public TelemetryEnvironment()
        : this(Environment.GetEnvironmentVariable)
    {
    }

    /// <summary>Reads through <paramref name="read"/>.</summary>
    /// <param name="read">Returns a variable's value, or null when it is unset.</param>
    public TelemetryEnvironment(Func<string, string?> read) => _read = read ?? throw new ArgumentNullException(nameof(read));

    /// <summary>The process environment.</summary>
    public static TelemetryEnvironment Process { get; } = new();

    /// <summary>Reads variables from a dictionary (tests).</summary>
    /// <param name="variables">The variables.</param>
    public static TelemetryEnvironment FromDictionary(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return new(name => variables.TryGetValue(name, out var value) ? value : null);
    }

    /// <summary>A variable's value, or null when it is unset or empty.</summary>
    /// <param name="name">The variable.</param>
    public string? Get(string name)
    {
        var value = _read(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Whether a variable is truthy: <c>true</c>, <c>1</c> or <c>yes</c>, case-insensitive and trimmed.</summary>
    /// <param name="name">The variable.</param>
    public bool IsTrue(string name) => IsTruthy(Get(name));

    /// <summary>Whether a value is truthy: <c>true</c>, <c>1</c> or <c>yes</c>, case-insensitive and trimmed.</summary>
    /// <param name="value">The value.</param>
    public static bool IsTruthy(string? value)
    {
        var trimmed = value?.Trim();
        return string.Equals(trimmed, "true", StringComparison.OrdinalIgnoreCase)
            || string.Equals(trimmed, "1", StringComparison.Ordinal)
            || string.Equals(trimmed, "yes", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Whether message content may be captured: <c>MELLEA_TRACES_CONTENT</c> (or, when it is unset, its deprecated name
    /// <c>MELLEA_TRACE_CONTENT</c>: the new name wins when both are set), or
    /// <c>OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT</c> (a boolean, or <c>SPAN_ONLY</c> / <c>SPAN_AND_EVENT</c>).
    /// </summary>
    public bool ContentCaptureRequested
    {
        get
        {
            var mellea = Get("MELLEA_TRACES_CONTENT") ?? Get("MELLEA_TRACE_CONTENT");
            var otel = Get("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT");
            return IsTruthy(mellea)
                || IsTruthy(otel)
                || (otel is not null && (otel.Equals("SPAN_ONLY", StringComparison.OrdinalIgnoreCase) || otel.Equals("SPAN_AND_EVENT", StringComparison.OrdinalIgnoreCase)));
        }
    }
}
