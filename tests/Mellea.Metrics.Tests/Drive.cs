using System.Diagnostics;
using Mellea.Testing;

namespace Mellea.Metrics.Tests;

/// <summary>Moves a fake clock until a call completes: tests never sleep, they only yield while a continuation is on its way.</summary>
internal static class Drive
{
    public static async Task<T> UntilDone<T>(Task<T> call, FakeTimeProvider clock, TimeSpan step)
    {
        var guard = Stopwatch.StartNew();
        while (!call.IsCompleted)
        {
            if (guard.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException("The call did not complete while the fake clock was driven.");
            }

            if (clock.PendingTimerCount > 0)
            {
                clock.Advance(step);
            }
            else
            {
                await Task.Yield();
            }
        }

        return await call;
    }

    /// <summary>Waits (without moving the clock) until the code under test has scheduled <paramref name="count"/> timers.</summary>
    public static async Task UntilTimers(FakeTimeProvider clock, int count = 1)
    {
        var guard = Stopwatch.StartNew();
        while (clock.PendingTimerCount < count)
        {
            if (guard.Elapsed > TimeSpan.FromSeconds(20))
            {
                throw new TimeoutException("No timer was scheduled.");
            }

            await Task.Yield();
        }
    }
}
