using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace Mellea.Benchmarks;

/// <summary>
/// <c>-- --filter '*'</c> (or any BenchmarkDotNet arguments) runs BenchmarkDotNet; <c>--ratios</c> runs the interleaved
/// time-ratio harness and writes <c>bench/results/</c>; <c>--smoke</c> runs every case a few times to prove it still works;
/// <c>--probe-loop</c> runs one case alone for a profiler.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--smoke")
        {
            return await Smoke.RunAsync();
        }

        if (args.Length > 0 && args[0] == "--ratios")
        {
            return await RatioReport.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--alloc-profile")
        {
            return await AllocationProfile.RunAsync();
        }

        if (args.Length > 0 && args[0] == "--probe-loop")
        {
            return await ProbeLoop.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--soak")
        {
            return await SoakRun.RunAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--emulator-child")
        {
            return await EmulatorProcess.ChildAsync(args[1..]);
        }

        if (args.Length > 0 && args[0] == "--scale-child")
        {
            return await ScaleRun.ChildAsync(args[1..]);
        }

        // BenchmarkDotNet's default job takes about half a minute per case; on a shared 2-core machine a short job gives the
        // same (deterministic) allocation figures, and time ratios come from --ratios anyway. --job on the command line wins.
        var config = args.Contains("--job") ? DefaultConfig.Instance : DefaultConfig.Instance.AddJob(Job.ShortRun);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config.AddDiagnoser(MemoryDiagnoser.Default));
        return 0;
    }
}
