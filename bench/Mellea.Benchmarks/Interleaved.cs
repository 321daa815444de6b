using System.Diagnostics;

namespace Mellea.Benchmarks;

/// <summary>One case of an interleaved comparison: a name and an operation that returns what it read.</summary>
internal sealed record BenchCase(string Name, Func<ValueTask<long>> Run);

/// <summary>
/// Runs compared cases in alternation, round after round, and keeps every round's time per case. A ratio is the median
/// of the per-round ratios: a burst of load from a neighbour slows the cases of one round together, so it cancels in that
/// round's ratio instead of skewing a mean. Bytes are all threads' allocations (<see cref="GC.GetTotalAllocatedBytes"/>)
/// divided by operations, meaningful when nothing else in the process runs (the in-memory cases).
/// </summary>
internal sealed class Interleaved
{
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaximumWarmup = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(500);

    private readonly IReadOnlyList<BenchCase> _cases;
    private readonly double[][] _nsPerOp;
    private readonly double[] _bytesPerOp;

    private Interleaved(IReadOnlyList<BenchCase> cases, int rounds)
    {
        _cases = cases;
        _nsPerOp = [.. cases.Select(_ => new double[rounds])];
        _bytesPerOp = new double[cases.Count];
    }

    public static async Task<Interleaved> RunAsync(IReadOnlyList<BenchCase> cases, int rounds, int opsPerRound, int warmupOps)
    {
        var result = new Interleaved(cases, rounds);

        // Warm-up runs every case at least warmupOps times, then keeps cycling through them until the JIT has finished: a method
        // is promoted to optimized (and profile-guided) code only after a quiet delay, in the background, one tier at a time,
        // and on this machine that took seconds. Measured before that, the same build's figures were up to 4× slower and its
        // ratios swung by a third from one run to the next. Done means no method was compiled for QuietTime (several tiering
        // delays), after at least MinimumWarmup; a one-round run (the CI smoke) only proves the cases work, so it warms up once.
        var warmupStarted = Stopwatch.GetTimestamp();
        var lastCompiled = Stopwatch.GetTimestamp();
        var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
        while (true)
        {
            foreach (var benchCase in cases)
            {
                for (var i = 0; i < warmupOps; i++)
                {
                    await benchCase.Run();
                }
            }

            if (System.Runtime.JitInfo.GetCompiledMethodCount() is var now && now != compiled)
            {
                compiled = now;
                lastCompiled = Stopwatch.GetTimestamp();
            }

            var elapsed = Stopwatch.GetElapsedTime(warmupStarted);
            if (rounds <= 1 || elapsed >= MaximumWarmup || (elapsed >= MinimumWarmup && Stopwatch.GetElapsedTime(lastCompiled) >= QuietTime))
            {
                break;
            }
        }

        var expected = await cases[0].Run();
        foreach (var benchCase in cases.Skip(1))
        {
            var read = await benchCase.Run();
            if (read <= 0)
            {
                throw new InvalidOperationException($"{benchCase.Name} read nothing ({read}).");
            }

            _ = expected;
        }

        var bytes = new long[cases.Count];
        for (var round = 0; round < rounds; round++)
        {
            // Rotate the order so that no case always runs first (or right after a collection).
            for (var k = 0; k < cases.Count; k++)
            {
                var index = (round + k) % cases.Count;
                var run = cases[index].Run;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < opsPerRound; i++)
                {
                    await run();
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                bytes[index] += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                result._nsPerOp[index][round] = elapsed.TotalNanoseconds / opsPerRound;
            }
        }

        for (var i = 0; i < cases.Count; i++)
        {
            result._bytesPerOp[i] = (double)bytes[i] / (rounds * (long)opsPerRound);
        }

        return result;
    }

    public IEnumerable<string> Names => _cases.Select(c => c.Name);

    /// <summary>The median time of one operation of <paramref name="name"/>, in microseconds.</summary>
    public double MedianMicroseconds(string name) => Median(_nsPerOp[IndexOf(name)]) / 1000;

    /// <summary>Bytes allocated per operation (all threads).</summary>
    public double BytesPerOp(string name) => _bytesPerOp[IndexOf(name)];

    /// <summary>The median over rounds of time(<paramref name="name"/>) / time(<paramref name="baseline"/>).</summary>
    public double TimeRatio(string name, string baseline)
    {
        var a = _nsPerOp[IndexOf(name)];
        var b = _nsPerOp[IndexOf(baseline)];
        return Median([.. a.Select((t, i) => t / b[i])]);
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < _cases.Count; i++)
        {
            if (_cases[i].Name == name)
            {
                return i;
            }
        }

        throw new ArgumentException($"No case named {name}.", nameof(name));
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
