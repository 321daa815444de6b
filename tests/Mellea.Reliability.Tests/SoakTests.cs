using Mellea.Reliability.Tests.Support;

namespace Mellea.Reliability.Tests;

/// <summary>The soak runs alone: it measures the process's managed memory, which parallel tests would disturb.</summary>
[CollectionDefinition(nameof(SoakCollection), DisableParallelization = true)]
public sealed class SoakCollection;

/// <summary>
/// 2,000 calls (20,000 in the long mode; the bench project's <c>--soak</c> runs the same driver at full size) mixed chat, stream and
/// raw over all five backends, 5% of them meeting an injected fault, at concurrency 64, through tracing &gt; metrics &gt; retry with a
/// span and a metric listener.
/// </summary>
[Collection(nameof(SoakCollection))]
public sealed class SoakTests
{
    private const long MemoryBoundBytes = 16L * 1024 * 1024;

    [Fact]
    public async Task Thousands_of_mixed_calls_with_faults_leak_no_span_no_memory_no_unobserved_exception_and_end_typed()
    {
        var calls = LongMode.Pick(ci: 2_000, full: 20_000);

        var report = await SoakDriver.RunAsync(calls, TestContext.Current.CancellationToken);

        report.Crashes.Should().BeEmpty("every call succeeds with the whole answer or fails with a GenerationException");
        report.Verdicts.Values.Sum().Should().Be(calls);
        report.UntypedFailures.Should().Be(0);
        report.SpansStarted.Should().Be(report.SpansStopped, "no span is left open");
        report.SpansStopped.Should().Be(calls, "one span per call");
        (report.MemoryAfter - report.MemoryBefore).Should().BeLessThan(MemoryBoundBytes, $"managed memory after a full GC stays near where it started ({report.MemoryBefore:N0} -> {report.MemoryAfter:N0} bytes)");
        report.UnobservedTaskExceptions.Should().Be(0, "no task's exception goes unobserved: {0}", string.Join(Environment.NewLine, report.UnobservedTaskExceptionDetails));
        report.Leaks.Should().BeEmpty();
        report.ArmedTimers.Should().Be(0);
        Ledger.Record("soak", $"{calls} calls, concurrency {report.Concurrency}", report.ToString());
    }
}
