namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// Appends one line per finished case to <c>reliability-ledger.tsv</c> next to the test binaries, so the figures in
/// docs/reliability.md come from a real run (cases, outcomes, faults survived, bytes lost).
/// </summary>
internal static class Ledger
{
    private static readonly Lock Gate = new();

    public static string FilePath { get; } = Path.Combine(AppContext.BaseDirectory, "reliability-ledger.tsv");

    public static void Record(string suite, string @case, string outcome)
    {
        lock (Gate)
        {
            File.AppendAllText(FilePath, $"{DateTimeOffset.UtcNow:O}\t{suite}\t{@case}\t{outcome}{Environment.NewLine}");
        }
    }
}
