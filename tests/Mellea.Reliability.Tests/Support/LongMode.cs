namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// The long mode: <c>MELLEA_RELIABILITY_LONG=1</c> runs the full-size soak (20,000 calls) and a larger fuzz run (100,000 cases).
/// CI leaves it unset.
/// </summary>
internal static class LongMode
{
    public const string Variable = "MELLEA_RELIABILITY_LONG";

    public static bool IsOn => Environment.GetEnvironmentVariable(Variable) is "1" or "true" or "TRUE" or "True";

    public static int Pick(int ci, int full) => IsOn ? full : ci;
}
