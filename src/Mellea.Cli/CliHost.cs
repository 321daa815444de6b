namespace Mellea.Cli;

/// <summary>
/// What the command line reads and writes besides its arguments: the environment, standard output and standard error.
/// Tests pass a dictionary and string writers; <c>Program</c> passes the process's own.
/// </summary>
/// <param name="Environment">Reads an environment variable; null when it is unset.</param>
/// <param name="Out">Standard output: answers and the demo.</param>
/// <param name="Error">Standard error: the one failure line, usage errors, and stack traces with <c>--verbose</c>.</param>
/// <param name="OutputIsTerminal">Whether standard output is a terminal, which turns on colour and live rendering.</param>
internal sealed record CliHost(Func<string, string?> Environment, TextWriter Out, TextWriter Error, bool OutputIsTerminal = false)
{
    /// <summary>Reads a variable: its trimmed value, or null when it is unset or blank.</summary>
    /// <param name="name">The variable.</param>
    public string? Read(string name)
    {
        var value = Environment(name);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }
}
