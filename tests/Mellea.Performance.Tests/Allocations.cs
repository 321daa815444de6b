// The canned handler is the benchmarks' own file, compiled in (see the project file).
global using Mellea.Benchmarks;

namespace Mellea.Performance.Tests;

/// <summary>
/// Counts the bytes a call allocates on this thread. Every call must complete synchronously (the canned handler does), so
/// that nothing runs elsewhere; a call that does not is a failure, not a figure.
/// </summary>
internal static class Allocations
{
    private static readonly ChatRequest Request = new("Say something.");

    /// <summary>
    /// Skips unless the library under test is an optimized (Release) build. A solution-wide `dotnet test` builds the
    /// libraries in Debug, whatever a project reference asks for, and Debug code boxes every async state machine; so CI
    /// runs these guards a second time with `-c Release` (see .ci/run), where they are enforced.
    /// </summary>
    public static void RequireReleaseLibrary()
    {
        var debuggable = typeof(GenerationPipeline).Assembly.GetCustomAttributes(typeof(System.Diagnostics.DebuggableAttribute), false)
            .OfType<System.Diagnostics.DebuggableAttribute>().FirstOrDefault();
        if (debuggable is { IsJITOptimizerDisabled: true })
        {
            Assert.Skip("Allocation guards measure a Release build of the library: run `dotnet test tests/Mellea.Performance.Tests -c Release` (CI does).");
        }
    }

    /// <summary>The full pipeline: tracing, metrics and retry, as an application builds it.</summary>
    public static GenerationPipeline FullPipeline(IGenerationHandler handler, bool captureContent = false)
    {
        var environment = TelemetryEnvironment.FromDictionary(new Dictionary<string, string?>());
        return handler.AsBuilder()
            .UseTracing(o =>
            {
                o.CaptureContent = captureContent;
                o.ChunkEvents = false;
                o.Environment = environment;
            })
            .UseMetrics(o => o.Environment = environment)
            .UseRetry()
            .Build();
    }

    /// <summary>
    /// Runs <paramref name="measure"/> on a new thread with an empty execution context. The test host's async-locals would
    /// otherwise be copied into every context that setting <c>Activity.Current</c> makes (a bigger map, more bytes), so the
    /// figure would depend on the runner instead of on the pipeline.
    /// </summary>
    public static double OnCleanThread(Func<double> measure)
    {
        var result = double.NaN;
        Exception? failure = null;
        Thread thread;
        using (ExecutionContext.SuppressFlow())
        {
            thread = new Thread(() =>
            {
                try
                {
                    result = measure();
                }
                catch (Exception ex)
                {
                    failure = ex;
                }
            });
            thread.Start();
        }

        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("The measurement failed.", failure);
    }

    /// <summary>Bytes per chat call, averaged over 1,000 calls after a warm-up.</summary>
    public static double PerChatCall(IGenerationHandler handler)
    {
        for (var i = 0; i < 200; i++)
        {
            Chat(handler);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Chat(handler);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
    }

    /// <summary>Bytes per stream (enumerable, enumerator and every update), averaged over 50 streams after a warm-up.</summary>
    public static double PerStream(IGenerationHandler handler)
    {
        for (var i = 0; i < 20; i++)
        {
            Stream(handler);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 50; i++)
        {
            Stream(handler);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 50.0;
    }

    /// <summary>Bytes per streamed update: a 1,010-update stream minus a 10-update stream, over 1,000.</summary>
    public static double PerUpdate(Func<IGenerationHandler, IGenerationHandler> wrap) =>
        (PerStream(wrap(new CannedHandler(1010))) - PerStream(wrap(new CannedHandler(10)))) / 1000.0;

    private static void Chat(IGenerationHandler handler)
    {
        // No assertion library inside the measured loop: it would allocate.
        var pending = handler.ChatAsync(Request);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The canned handler answers synchronously, and so must the pipeline.");
        }

        _ = pending.Result;
    }

    private static void Stream(IGenerationHandler handler)
    {
        var pending = ConsumeAsync(handler);
        if (!pending.IsCompletedSuccessfully || pending.Result == 0)
        {
            throw new InvalidOperationException("The canned stream completes synchronously with updates, and so must the pipeline.");
        }
    }

    private static async ValueTask<int> ConsumeAsync(IGenerationHandler handler)
    {
        var count = 0;
        await foreach (var update in handler.StreamChatAsync(Request))
        {
            count += update.TextDelta is null ? 0 : 1;
        }

        return count;
    }
}
