using System.Runtime.ExceptionServices;

namespace Mellea.Backends.Http;

/// <summary>
/// Runs a raw batch as one request per prompt (Ollama, TGI, watsonx.ai), concurrently with a bounded degree, as one logical
/// operation: results come back in prompt order, and the first failure cancels the requests still in flight and fails the batch
/// with that prompt's exception.
/// </summary>
public static class PerPromptBatch
{
    /// <summary>The degree used when a backend's option leaves it unset.</summary>
    public const int DefaultMaxConcurrency = 4;

    /// <summary>Runs <paramref name="runOne"/> for every index in <c>[0, count)</c>, at most <paramref name="maxConcurrency"/> at a time.</summary>
    /// <typeparam name="T">One prompt's result.</typeparam>
    /// <param name="count">How many prompts.</param>
    /// <param name="maxConcurrency">The most requests in flight at once; at least 1.</param>
    /// <param name="runOne">Runs one prompt; its token is cancelled when another prompt fails or the caller cancels.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The results, in prompt order.</returns>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public static async Task<T[]> RunAsync<T>(int count, int maxConcurrency, Func<int, CancellationToken, Task<T>> runOne, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrency, 1);
        ArgumentNullException.ThrowIfNull(runOne);
        var results = new T[count];
        if (count == 0)
        {
            return results;
        }

        using var batchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var state = new BatchState<T>(results, runOne, batchCancellation);
        var workers = new Task[Math.Min(maxConcurrency, count)];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = state.WorkAsync();
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (state.FirstFailure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return results;
    }

    private sealed class BatchState<T>(T[] results, Func<int, CancellationToken, Task<T>> runOne, CancellationTokenSource cancellation)
    {
        private int _next = -1;
        private Exception? _firstFailure;

        public Exception? FirstFailure => Volatile.Read(ref _firstFailure);

        public async Task WorkAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref _next);
                if (index >= results.Length || cancellation.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    results[index] = await runOne(index, cancellation.Token).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // Every failure is kept and rethrown by RunAsync; a worker must never fault on its own.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    // The first failure is the batch's error; the cancellations it causes in the other prompts are not.
                    if (Interlocked.CompareExchange(ref _firstFailure, ex, null) is null)
                    {
                        await cancellation.CancelAsync().ConfigureAwait(false);
                    }

                    return;
                }
            }
        }
    }
}
