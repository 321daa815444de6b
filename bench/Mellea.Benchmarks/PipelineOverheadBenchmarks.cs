using BenchmarkDotNet.Attributes;

namespace Mellea.Benchmarks;

/// <summary>Goal 1: the canned handler alone against the full pipeline (tracing, metrics, retry), in three listener states.</summary>
[MemoryDiagnoser]
public class PipelineOverheadBenchmarks
{
    private IDisposable? _listeners;
    private CannedHandler _bare = null!;
    private GenerationPipeline _full = null!;

    [Params(TelemetryState.NoListeners, TelemetryState.Listening, TelemetryState.ContentCapture)]
    public TelemetryState State { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _listeners = BenchTelemetry.Start(State);
        _bare = new CannedHandler(100);
        _full = BenchTelemetry.FullPipeline(_bare, State);
    }

    [GlobalCleanup]
    public void Cleanup() => _listeners?.Dispose();

    [Benchmark(Baseline = true)]
    public ValueTask<long> Chat_bare() => OverheadProbe.ChatAsync(_bare);

    [Benchmark]
    public ValueTask<long> Chat_full_pipeline() => OverheadProbe.ChatAsync(_full);

    [Benchmark]
    public ValueTask<long> Stream100_bare() => OverheadProbe.ConsumeAsync(_bare);

    [Benchmark]
    public ValueTask<long> Stream100_full_pipeline() => OverheadProbe.ConsumeAsync(_full);
}
