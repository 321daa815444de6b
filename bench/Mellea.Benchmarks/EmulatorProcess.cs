using System.Diagnostics;
using System.Globalization;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>
/// The Mellea.Testing emulator in a child process of its own, for the loopback sections. In the benchmark's own process the
/// server shared the client's thread pool and every garbage collection the client caused (workstation GC suspends the whole
/// process), so a client that allocates more paid twice; a real LLM server is never in the caller's process.
/// </summary>
internal sealed class EmulatorProcess : IAsyncDisposable
{
    private const string ReadyPrefix = "EMULATOR ";
    private readonly Process _process;

    private EmulatorProcess(Process process, string openAIBaseUrl)
    {
        _process = process;
        OpenAIBaseUrl = openAIBaseUrl;
    }

    /// <summary>The emulator's OpenAI-compatible base URL (<c>http://127.0.0.1:port/v1</c>).</summary>
    public string OpenAIBaseUrl { get; }

    /// <summary>The child's process id, for a profiler that splits samples by process (<c>--probe-loop</c>).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a child serving <see cref="WireFixtures.Script"/> of <paramref name="chunks"/> chunks to every request.</summary>
    public static async Task<EmulatorProcess> StartAsync(int chunks)
    {
        var path = Environment.ProcessPath!;
        var info = new ProcessStartInfo(path) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            info.ArgumentList.Add(typeof(EmulatorProcess).Assembly.Location);
        }

        info.ArgumentList.Add("--emulator-child");
        info.ArgumentList.Add(chunks.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info)!;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.StartsWith(ReadyPrefix, StringComparison.Ordinal))
            {
                return new EmulatorProcess(process, line[ReadyPrefix.Length..]);
            }
        }

        process.Dispose();
        throw new InvalidOperationException("The emulator child exited before it was listening.");
    }

    /// <summary>The child: <c>--emulator-child chunks</c>; serves until its standard input closes.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        await using var emulator = await ProviderEmulator.StartAsync();

        // A report sends it some 300,000 requests: kept, their history grew the child's heap by hundreds of MB, and its
        // collections paused whichever case was running.
        emulator.KeepsRequests = false;
        emulator.DefaultScript = WireFixtures.Script(int.Parse(args[0], CultureInfo.InvariantCulture));
        Console.WriteLine(ReadyPrefix + emulator.OpenAIBaseUrl);
        await Console.In.ReadToEndAsync();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
