using System.Diagnostics;

namespace Mellea.Cli.Tests;

/// <summary>Runs the built CLI as a child process (`dotnet cli/mellea.dll …`), the way a user runs the tool.</summary>
internal static class CliProcess
{
    /// <summary>Variables a developer's or CI's shell may hold that would change what the child does.</summary>
    private static readonly string[] InheritedPrefixes = ["MELLEA_", "OTEL_", "OPENAI_", "OLLAMA_", "HF_", "LITELLM_", "WATSONX_"];

    public static async Task<CliResult> RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "cli", "mellea.dll");
        File.Exists(cli).Should().BeTrue($"the build copies the CLI to {cli}");
        var start = new ProcessStartInfo(DotnetHost(), [cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(name => InheritedPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal))).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var cancellationToken = TestContext.Current.CancellationToken;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("The CLI did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static string DotnetHost()
    {
        // `dotnet test` tells its children where the host is; a test started another way falls back to PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
