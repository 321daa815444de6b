using System.Collections.Concurrent;
using System.Diagnostics;
using Mellea.Reliability.Tests.Support;
using Mellea.Testing;

namespace Mellea.Reliability.Tests;

/// <summary>
/// Random mutations of every real fixture payload go through the real backends (over HTTP, from the emulator) and come out
/// as a valid result or a <see cref="GenerationException"/>: never another exception, never a hang. Fixed seed, 10,000 cases
/// in CI; 100,000 in the long mode.
/// </summary>
public sealed class FuzzTests
{
    private const int WorkersPerBackend = 3;
    private const int Seed = 9_2026;

    [Fact]
    public async Task Mutated_fixture_payloads_end_in_a_valid_result_or_a_typed_error_never_a_crash_or_hang()
    {
        var payloads = FixtureFiles.Payloads();
        Assert.SkipWhen(payloads.Count == 0, "shared/fixtures is not next to the repository root (the folder holding Mellea.sln); the fuzz needs the real payloads.");
        var cases = LongMode.Pick(ci: 10_000, full: 100_000);
        var token = TestContext.Current.CancellationToken;
        var raw = payloads.Select(p => (p.Backend, p.Operation, p.Path, Bytes: File.ReadAllBytes(p.Path), Script: EmulatorScript.FromFixture(p.Path))).ToList();
        var byBackend = raw.GroupBy(p => p.Backend).ToDictionary(g => g.Key, g => g.ToList());
        var crashes = new ConcurrentQueue<string>();
        var tally = new ConcurrentDictionary<string, int>();
        var workers = byBackend.Keys.SelectMany(backend => Enumerable.Range(0, WorkersPerBackend).Select(w => (backend, w))).ToList();
        var perWorker = (cases + workers.Count - 1) / workers.Count;
        var stopwatch = Stopwatch.StartNew();

        await Task.WhenAll(workers.Select(async worker =>
        {
            var random = new Random(Seed + (((int)worker.backend) * 100) + worker.w);
            await using var rig = await Rig.StartAsync(worker.backend);
            var mine = byBackend[worker.backend];
            for (var i = 0; i < perWorker; i++)
            {
                var payload = mine[random.Next(mine.Count)];
                var mutation = (PayloadMutator.Mutation)random.Next(6);
                var body = PayloadMutator.Apply(payload.Bytes, mutation, random);
                rig.Emulator.Enqueue(new EmulatorScript { RawBody = body, RawStatusCode = payload.Script.RawStatusCode, RawContentType = payload.Script.RawContentType });
                var operation = payload.Operation;
                CallOutcome outcome;
                try
                {
                    outcome = await Calls.RunAsync(rig.Backend, operation, token).WaitAsync(Bounded.Case, token);
                }
                catch (TimeoutException)
                {
                    crashes.Enqueue($"HANG {Path.GetFileName(payload.Path)} {mutation} via {operation}");
                    continue;
                }

                var verdict = outcome.Error switch
                {
                    null => "valid",
                    GenerationException typed => typed.Category.ToWireName(),
                    var other => "crash " + other.GetType().Name,
                };
                if (verdict.StartsWith("crash", StringComparison.Ordinal) && crashes.Count < 20)
                {
                    crashes.Enqueue($"{Path.GetFileName(payload.Path)} {mutation} via {worker.backend} {operation}: {outcome.Error}");
                }

                tally.AddOrUpdate(verdict, 1, (_, n) => n + 1);
            }
        }));
        stopwatch.Stop();

        crashes.Should().BeEmpty("a mutated payload ends in a valid result or a GenerationException");
        tally.Values.Sum().Should().BeGreaterThanOrEqualTo(cases);
        Ledger.Record("fuzz", $"{tally.Values.Sum()} cases over {raw.Count} payloads, seed {Seed}", $"{stopwatch.Elapsed.TotalSeconds:0.0}s {string.Join(' ', tally.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))}");
    }
}
