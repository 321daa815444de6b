using System.Diagnostics;
using System.Runtime;

namespace Mellea.Benchmarks;

/// <summary>
/// Runs code until the JIT has finished with it. A method is promoted to optimized (and profile-guided) code only after a quiet
/// delay, in the background, one tier at a time, and on this machine that takes seconds: measured before that, the same build's
/// figures were up to 4× slower, and a profile shows the JIT's own work as the code's.
/// </summary>
internal static class JitWarmUp
{
    /// <summary>
    /// Runs <paramref name="cycle"/> at least once and until the JIT has compiled no method for <paramref name="quiet"/>, after
    /// at least <paramref name="minimum"/>; it stops at <paramref name="maximum"/> whatever the JIT does.
    /// </summary>
    public static async Task RunAsync(Func<Task> cycle, TimeSpan minimum, TimeSpan quiet, TimeSpan maximum)
    {
        var started = Stopwatch.GetTimestamp();
        var lastCompiled = started;
        var compiled = JitInfo.GetCompiledMethodCount();
        while (true)
        {
            await cycle();
            if (JitInfo.GetCompiledMethodCount() is var now && now != compiled)
            {
                compiled = now;
                lastCompiled = Stopwatch.GetTimestamp();
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed >= maximum || (elapsed >= minimum && Stopwatch.GetElapsedTime(lastCompiled) >= quiet))
            {
                return;
            }
        }
    }
}
