namespace Mellea.Reliability.Tests.Support;

/// <summary>Generous bounds that fail a test instead of letting it hang.</summary>
internal static class Bounded
{
    /// <summary>The most any single case may take: far beyond what a healthy case needs.</summary>
    public static readonly TimeSpan Case = TimeSpan.FromSeconds(30);

    /// <summary>How long the emulator may take to notice that a client went away.</summary>
    public static readonly TimeSpan Cleanup = TimeSpan.FromSeconds(10);

    public static async Task<T> WithinAsync<T>(Task<T> task, TimeSpan bound, string what)
    {
        try
        {
            return await task.WaitAsync(bound, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{what} did not end within {bound.TotalSeconds:0} s: a hang.");
        }
    }

    public static async Task WithinAsync(Task task, TimeSpan bound, string what)
    {
        try
        {
            await task.WaitAsync(bound, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{what} did not happen within {bound.TotalSeconds:0} s.");
        }
    }
}
