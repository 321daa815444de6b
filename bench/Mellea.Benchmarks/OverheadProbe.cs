namespace Mellea.Benchmarks;

/// <summary>
/// Exact bytes of the in-process overhead: the canned handler completes synchronously, so a call (or a whole stream) runs
/// on this thread and <see cref="GC.GetAllocatedBytesForCurrentThread"/> sees every byte of it.
/// </summary>
internal static class OverheadProbe
{
    private static readonly ChatRequest Request = new("Say something long.");

    /// <summary>Bytes per chat call.</summary>
    public static double ChatBytes(IGenerationHandler handler, int calls = 1000)
    {
        for (var i = 0; i < 200; i++)
        {
            Chat(handler);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < calls; i++)
        {
            Chat(handler);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)calls;
    }

    /// <summary>Bytes per whole stream (enumerable, enumerator, every update).</summary>
    public static double StreamBytes(IGenerationHandler handler, int streams = 100)
    {
        for (var i = 0; i < 20; i++)
        {
            Stream(handler);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < streams; i++)
        {
            Stream(handler);
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / (double)streams;
    }

    private static void Chat(IGenerationHandler handler)
    {
        var pending = handler.ChatAsync(Request);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The canned handler answers synchronously; so must the pipeline.");
        }

        _ = pending.Result;
    }

    private static void Stream(IGenerationHandler handler)
    {
        var pending = ConsumeAsync(handler);
        if (!pending.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("The canned stream completes synchronously; so must the pipeline.");
        }
    }

    public static async ValueTask<long> ConsumeAsync(IGenerationHandler handler)
    {
        long count = 0;
        await foreach (var update in handler.StreamChatAsync(Request))
        {
            count += update.TextDelta?.Length ?? 0;
        }

        return count;
    }

    public static ValueTask<long> ChatAsync(IGenerationHandler handler)
    {
        var pending = handler.ChatAsync(Request);
        return pending.IsCompletedSuccessfully ? new ValueTask<long>(pending.Result.Text.Length) : Slow(pending);

        static async ValueTask<long> Slow(ValueTask<ChatResponse> pending) => (await pending).Text.Length;
    }
}
