using System.Diagnostics;
using System.Globalization;
using Mellea.Backends.OpenAI;
using OpenAI;
using OpenAI.Chat;
using System.ClientModel;
using System.ClientModel.Primitives;

namespace Mellea.Benchmarks;

/// <summary>
/// Scale: N concurrent streams of M chunks over loopback, each client in a child process of its own so that its peak
/// working set is its own (the emulator stays in the parent). Mellea runs the full pipeline with an SDK tracing every span.
/// </summary>
internal static class ScaleRun
{
    public sealed record Result(string Client, int Streams, int Failures, long Chunks, double Seconds, long PeakWorkingSet)
    {
        public double ChunksPerSecond => Chunks / Seconds;
    }

    /// <summary>Runs one client in a child process against <paramref name="baseUrl"/>.</summary>
    public static async Task<Result> RunAsync(string client, string baseUrl, int streams)
    {
        var path = Environment.ProcessPath!;
        var info = new ProcessStartInfo(path) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(path) == "dotnet")
        {
            info.ArgumentList.Add(typeof(ScaleRun).Assembly.Location);
        }

        foreach (var argument in new[] { "--scale-child", client, baseUrl, streams.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"The {client} scale child printed no result (exit {process.ExitCode}): {output}");
        var fields = line[7..].Split(' ').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
        return new Result(
            client,
            streams,
            int.Parse(fields["failures"], CultureInfo.InvariantCulture),
            long.Parse(fields["chunks"], CultureInfo.InvariantCulture),
            double.Parse(fields["seconds"], CultureInfo.InvariantCulture),
            long.Parse(fields["peak"], CultureInfo.InvariantCulture));
    }

    /// <summary>The child: <c>--scale-child mellea|sdk baseUrl streams</c>.</summary>
    public static async Task<int> ChildAsync(string[] args)
    {
        var client = args[0];
        var baseUrl = args[1];
        var streams = int.Parse(args[2], CultureInfo.InvariantCulture);
        using var http = new HttpClient(new SocketsHttpHandler()) { Timeout = TimeSpan.FromMinutes(5) };
        using var listeners = client == "mellea" ? BenchTelemetry.Start(TelemetryState.Listening) : null;
        Func<Task<long>> stream;
        if (client == "mellea")
        {
            var backend = new OpenAIBackend(http, new OpenAIBackendOptions { BaseUrl = baseUrl, ApiKey = "sk-bench", Model = WireFixtures.Model }, _ => null);
            var pipeline = BenchTelemetry.FullPipeline(backend, TelemetryState.Listening);
            var request = new ChatRequest("Say something long.");
            stream = async () =>
            {
                long chunks = 0;
                await foreach (var update in pipeline.StreamChatAsync(request))
                {
                    chunks += update.TextDelta is null ? 0 : 1;
                }

                return chunks;
            };
        }
        else
        {
            var sdk = new ChatClient(WireFixtures.Model, new ApiKeyCredential("sk-bench"), new OpenAIClientOptions
            {
                Endpoint = new Uri(baseUrl),
                Transport = new HttpClientPipelineTransport(http),
                NetworkTimeout = TimeSpan.FromMinutes(5),
            });
            OpenAI.Chat.ChatMessage[] messages = [new UserChatMessage("Say something long.")];
            stream = async () =>
            {
                long chunks = 0;
                await foreach (var update in sdk.CompleteChatStreamingAsync(messages))
                {
                    chunks += update.ContentUpdate.Count > 0 ? 1 : 0;
                }

                return chunks;
            };
        }

        for (var i = 0; i < 5; i++)
        {
            await stream();
        }

        var failures = 0;
        long total = 0;
        var started = Stopwatch.GetTimestamp();
        var tasks = Enumerable.Range(0, streams).Select(_ => Task.Run(stream)).ToArray();
        foreach (var task in tasks)
        {
            try
            {
                var chunks = await task;
                total += chunks;
                failures += chunks == 0 ? 1 : 0;
            }
            catch (Exception ex)
            {
                failures++;
                await Console.Error.WriteLineAsync(ex.GetType().Name + ": " + ex.Message);
            }
        }

        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var peak = PeakWorkingSet();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT failures={failures} chunks={total} seconds={seconds:F4} peak={peak}"));
        return 0;
    }

    private static long PeakWorkingSet()
    {
        // VmHWM is the kernel's peak resident set; Process.PeakWorkingSet64 reads the same on Linux.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }
}
