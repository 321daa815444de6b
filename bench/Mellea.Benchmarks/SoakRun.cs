using System.Globalization;
using Mellea.Reliability.Tests.Support;

namespace Mellea.Benchmarks;

/// <summary>
/// <c>--soak [calls]</c>: issue 9's full-size soak (20,000 calls by default) with the reliability suite's own driver, compiled in
/// from tests/Mellea.Reliability.Tests/Support: mixed chat, stream and raw calls over the five backends against the loopback
/// emulator, 5% of them meeting an injected fault, at concurrency 64, through tracing › metrics › retry with a span and a metric
/// listener. It prints what the issue asks to see and exits 1 when a call crashed, a span leaked or a secret was emitted.
/// </summary>
internal static class SoakRun
{
    private const int FullSize = 20_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : FullSize;
        Console.WriteLine($"soak: {calls:N0} calls, concurrency {SoakDriver.DefaultConcurrency}, {SoakDriver.DefaultFaultRate:P0} faults, seed {SoakDriver.DefaultSeed}, {Machine.Describe()}");

        var report = await SoakDriver.RunAsync(calls, CancellationToken.None);

        var typedFailures = report.TypedFailures.ToList();
        Console.WriteLine($"calls                       {report.Verdicts.Values.Sum():N0} in {report.Elapsed.TotalSeconds:0.0} s ({report.Verdicts.Values.Sum() / report.Elapsed.TotalSeconds:N0}/s)");
        Console.WriteLine($"faults injected             {report.Faulted:N0}");
        Console.WriteLine($"successes (whole answer)    {report.Successes:N0}");
        Console.WriteLine($"typed failures              {typedFailures.Sum(p => p.Value):N0} ({string.Join(", ", typedFailures.Select(p => $"{p.Key} {p.Value:N0}"))})");
        Console.WriteLine($"untyped failures            {report.UntypedFailures:N0}");
        Console.WriteLine($"spans started / stopped     {report.SpansStarted:N0} / {report.SpansStopped:N0} ({report.ErrorSpans:N0} with status Error)");
        Console.WriteLine($"managed memory (full GC)    {report.MemoryBefore / 1024.0 / 1024.0:0.0} MB before, {report.MemoryAfter / 1024.0 / 1024.0:0.0} MB after ({(report.MemoryAfter - report.MemoryBefore) / 1024.0 / 1024.0:+0.0;-0.0} MB)");
        Console.WriteLine($"unobserved task exceptions  {report.UnobservedTaskExceptions}");
        Console.WriteLine($"armed timers after          {report.ArmedTimers}");
        Console.WriteLine($"secrets emitted             {report.Leaks.Count}");
        foreach (var crash in report.Crashes.Take(10))
        {
            Console.WriteLine("crash: " + crash);
        }

        var healthy = report.Crashes.Count == 0 && report.UntypedFailures == 0 && report.SpansStarted == report.SpansStopped
            && report.UnobservedTaskExceptions == 0 && report.Leaks.Count == 0 && report.ArmedTimers == 0;
        Console.WriteLine(healthy ? "soak: healthy" : "soak: FAILED");
        return healthy ? 0 : 1;
    }
}
