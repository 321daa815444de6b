using Mellea.Cli;

namespace Mellea.Cli.Tests;

/// <summary>The outcome of one run of the command line.</summary>
internal sealed record CliResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>The non-empty lines written to stderr.</summary>
    public IReadOnlyList<string> ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <inheritdoc/>
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>Runs <see cref="MelleaCommandLine"/> in-process, with a dictionary for the environment and string writers for the streams.</summary>
internal static class CliRun
{
    public static Task<CliResult> InProcessAsync(params string[] args) => InProcessAsync(new Dictionary<string, string?>(), args);

    public static async Task<CliResult> InProcessAsync(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new CliHost(name => environment.TryGetValue(name, out var value) ? value : null, stdout, stderr);
        var exitCode = await new MelleaCommandLine(host).RunAsync(args, TestContext.Current.CancellationToken);
        return new CliResult(exitCode, stdout.ToString(), stderr.ToString());
    }
}
