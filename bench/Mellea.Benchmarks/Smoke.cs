using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Mellea.Benchmarks;

/// <summary>
/// CI's proof that the benchmarks still run, in seconds: every BenchmarkDotNet method is called twice per parameter value
/// (setup and cleanup included), and the interleaved report runs end to end with tiny sizes. Nothing is timed or judged.
/// </summary>
internal static class Smoke
{
    public static async Task<int> RunAsync()
    {
        var started = Stopwatch.GetTimestamp();
        var calls = 0;
        foreach (var type in typeof(Smoke).Assembly.GetTypes().Where(t => !t.IsAbstract && t.GetMethods().Any(m => m.IsDefined(typeof(BenchmarkAttribute)))))
        {
            var parameter = type.GetProperties().Single(p => p.IsDefined(typeof(ParamsAttribute)));
            foreach (var value in parameter.GetCustomAttribute<ParamsAttribute>()!.Values)
            {
                var instance = Activator.CreateInstance(type)!;
                parameter.SetValue(instance, value);
                type.GetProperty(nameof(ClientBenchmarksBase.Chunks))?.SetValue(instance, 20);
                await InvokeAsync(instance, typeof(GlobalSetupAttribute));
                try
                {
                    foreach (var method in type.GetMethods().Where(m => m.IsDefined(typeof(BenchmarkAttribute))))
                    {
                        for (var i = 0; i < 2; i++)
                        {
                            var read = await (ValueTask<long>)method.Invoke(instance, null)!;
                            if (read <= 0)
                            {
                                throw new InvalidOperationException($"{type.Name}.{method.Name} ({value}) read nothing.");
                            }

                            calls++;
                        }
                    }
                }
                finally
                {
                    await InvokeAsync(instance, typeof(GlobalCleanupAttribute));
                }
            }
        }

        Console.WriteLine($"smoke: {calls} benchmark calls succeeded");
        var report = await RatioReport.BuildAsync(RatioReport.Settings.Smoke, TextWriter.Null);
        var scale = report.Split('\n').Single(l => l.StartsWith("| Scale: every call succeeds", StringComparison.Ordinal));
        if (!scale.EndsWith("| yes |", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("A call failed in the scale run: " + scale);
        }

        Console.WriteLine($"smoke: the interleaved report ran end to end ({report.Length} characters; times are not judged)");
        Console.WriteLine($"smoke: done in {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        return 0;
    }

    private static async Task InvokeAsync(object instance, Type attribute)
    {
        var method = instance.GetType().GetMethods().SingleOrDefault(m => m.IsDefined(attribute));
        if (method?.Invoke(instance, null) is Task task)
        {
            await task;
        }
    }
}
