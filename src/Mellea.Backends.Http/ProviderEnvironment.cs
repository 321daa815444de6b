namespace Mellea.Backends.Http;

/// <summary>
/// Reads a backend's environment variables through a delegate, so tests pass a dictionary instead of changing the
/// process environment (which would leak between tests running in parallel).
/// </summary>
public static class ProviderEnvironment
{
    /// <summary>Reads the process environment.</summary>
    public static Func<string, string?> Process { get; } = Environment.GetEnvironmentVariable;

    /// <summary>Returns a reader over a dictionary (tests).</summary>
    /// <param name="variables">The variables.</param>
    public static Func<string, string?> FromDictionary(IReadOnlyDictionary<string, string?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        return name => variables.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>Reads a variable: its trimmed value, or <see langword="null"/> when it is unset or blank.</summary>
    /// <param name="reader">The reader; <see langword="null"/> reads the process environment.</param>
    /// <param name="name">The variable.</param>
    public static string? Read(Func<string, string?>? reader, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var value = (reader ?? Process)(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
