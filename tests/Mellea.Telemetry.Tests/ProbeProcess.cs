using System.Diagnostics;

namespace Mellea.Telemetry.Tests;

/// <summary>Runs tests/Mellea.TelemetryProbe as a child process whose telemetry is configured by environment variables only.</summary>
internal static class ProbeProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> variables, CancellationToken cancellationToken)
    {
        var probe = Path.Combine(AppContext.BaseDirectory, "probe", "Mellea.TelemetryProbe.dll");
        File.Exists(probe).Should().BeTrue($"the build copies the probe to {probe}");
        var start = new ProcessStartInfo(DotnetHost(), [probe])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // The child must see only the variables under test, not whatever telemetry settings the test host inherited.
        foreach (var name in start.Environment.Keys.Where(IsTelemetryVariable).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in variables)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("The probe did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static bool IsTelemetryVariable(string name) =>
        name.StartsWith("MELLEA_", StringComparison.Ordinal) || name.StartsWith("OTEL_", StringComparison.Ordinal);

    private static string DotnetHost()
    {
        // `dotnet test` tells its children where the host is; a test started another way falls back to PATH.
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(host) && File.Exists(host) ? host : "dotnet";
    }
}
