using System.Diagnostics;

namespace Mellea.Benchmarks;

/// <summary>One case of an interleaved comparison: a name and an operation that returns what it read.</summary>
internal sealed record BenchCase(string Name, Func<ValueTask<long>> Run);

/// <summary>How finely the cases of a round alternate.</summary>
internal enum Interleaving
{
    /// <summary>Each case runs its operations of the round back to back; bytes are measured.</summary>
    EachRound,

    /// <summary>Every operation of the round runs the cases once each, in a new order, timed one by one; no bytes.</summary>
    EachOperation,
}

/// <summary>
/// Runs compared cases in alternation, round after round, and keeps every round's time per case (or, alternating at every
/// operation, every operation's time; see <see cref="TimeRatio"/>). A ratio is the median of the per-round ratios: a burst
/// of load from a neighbour slows the cases of one round together, so it cancels in that round's ratio instead of skewing a
/// mean. Bytes are all threads' allocations (<see cref="GC.GetTotalAllocatedBytes"/>)
/// divided by operations, meaningful when nothing else in the process runs (the in-memory cases).
/// </summary>
/// <remarks>
/// The cases run in a new random order every round (from a fixed seed), not in a rotation: a rotation keeps each case's
/// predecessor fixed, and a case that always follows a similar one finds its code and data in the caches while the case
/// after the least similar one does not. Measured with a second copy of the bare backend as its own case (A/A), that bias
/// was 2–4 % over loopback. <see cref="Interleaving.EachOperation"/> goes further for the loopback sections, where one
/// operation takes 0.1–3 ms and the machine's state drifts over a round's tens of milliseconds: every operation of a round
/// runs in a new order and is timed on its own, so the compared cases share each moment of the round.
/// </remarks>
internal sealed class Interleaved
{
    private static readonly TimeSpan MinimumWarmup = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaximumWarmup = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan QuietTime = TimeSpan.FromMilliseconds(500);

    // Fixed, so that two runs of the same build put the cases in the same orders.
    private const int Seed = 11;

    private readonly IReadOnlyList<BenchCase> _cases;
    private readonly Interleaving _interleaving;

    // Per case: each round's time per operation (EachRound), or each operation's own time (EachOperation).
    private readonly double[][] _nsPerOp;
    private readonly double[] _bytesPerOp;

    private Interleaved(IReadOnlyList<BenchCase> cases, int rounds, int opsPerRound, Interleaving interleaving)
    {
        _cases = cases;
        _interleaving = interleaving;
        var samples = interleaving == Interleaving.EachOperation ? rounds * opsPerRound : rounds;
        _nsPerOp = [.. cases.Select(_ => new double[samples])];
        _bytesPerOp = new double[cases.Count];
    }

    public static async Task<Interleaved> RunAsync(IReadOnlyList<BenchCase> cases, int rounds, int opsPerRound, int warmupOps, Interleaving interleaving = Interleaving.EachRound)
    {
        var result = new Interleaved(cases, rounds, opsPerRound, interleaving);

        // Warm-up runs every case at least warmupOps times, then keeps cycling through them until the JIT has finished (its
        // figures swung by a third from one run to the next before): no method compiled for QuietTime (several tiering delays),
        // after at least MinimumWarmup. A one-round run (the CI smoke) only proves the cases work, so it warms up once.
        await JitWarmUp.RunAsync(
            async () =>
            {
                foreach (var benchCase in cases)
                {
                    for (var i = 0; i < warmupOps; i++)
                    {
                        await benchCase.Run();
                    }
                }
            },
            MinimumWarmup,
            QuietTime,
            rounds <= 1 ? TimeSpan.Zero : MaximumWarmup);

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

        var order = Enumerable.Range(0, cases.Count).ToArray();
        var random = new Random(Seed);
        if (interleaving == Interleaving.EachOperation)
        {
            await result.RunEachOperationAsync(order, random, rounds, opsPerRound);
        }
        else
        {
            await result.RunEachRoundAsync(order, random, rounds, opsPerRound);
        }

        return result;
    }

    private async Task RunEachRoundAsync(int[] order, Random random, int rounds, int opsPerRound)
    {
        var bytes = new long[_cases.Count];
        for (var round = 0; round < rounds; round++)
        {
            random.Shuffle(order);
            foreach (var index in order)
            {
                var run = _cases[index].Run;
                var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                var started = Stopwatch.GetTimestamp();
                for (var i = 0; i < opsPerRound; i++)
                {
                    await run();
                }

                var elapsed = Stopwatch.GetElapsedTime(started);
                bytes[index] += GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                _nsPerOp[index][round] = elapsed.TotalNanoseconds / opsPerRound;
            }
        }

        for (var i = 0; i < _cases.Count; i++)
        {
            _bytesPerOp[i] = (double)bytes[i] / (rounds * (long)opsPerRound);
        }
    }

    private async Task RunEachOperationAsync(int[] order, Random random, int rounds, int opsPerRound)
    {
        // Bytes per case cannot be told apart when the cases alternate at every operation.
        Array.Fill(_bytesPerOp, double.NaN);
        for (var op = 0; op < rounds * opsPerRound; op++)
        {
            random.Shuffle(order);
            foreach (var index in order)
            {
                var started = Stopwatch.GetTimestamp();
                await _cases[index].Run();
                _nsPerOp[index][op] = Stopwatch.GetElapsedTime(started).TotalNanoseconds;
            }
        }
    }

    public IEnumerable<string> Names => _cases.Select(c => c.Name);

    /// <summary>The median time of one operation of <paramref name="name"/>, in microseconds.</summary>
    public double MedianMicroseconds(string name) => Median(_nsPerOp[IndexOf(name)]) / 1000;

    /// <summary>Bytes allocated per operation (all threads); NaN when the cases alternated at every operation.</summary>
    public double BytesPerOp(string name) => _bytesPerOp[IndexOf(name)];

    /// <summary>
    /// time(<paramref name="name"/>) / time(<paramref name="baseline"/>): the median over rounds of the per-round ratios, or,
    /// when the cases alternated at every operation, the ratio of the medians of every operation's time. Over loopback one
    /// 1,000-chunk stream takes 1.3–4.6 ms depending on how the client's and the server's turns on the two cores fall, so a
    /// round of ten streams is still mostly luck: the bare backend against itself measured 0.96–1.07× as the median of
    /// per-round ratios and 1.00–1.01× as the ratio of the medians of its 1,260 streams.
    /// </summary>
    public double TimeRatio(string name, string baseline)
    {
        var a = _nsPerOp[IndexOf(name)];
        var b = _nsPerOp[IndexOf(baseline)];
        return _interleaving == Interleaving.EachOperation ? Median(a) / Median(b) : Median([.. a.Select((t, i) => t / b[i])]);
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
