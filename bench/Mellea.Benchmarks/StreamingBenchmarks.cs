using BenchmarkDotNet.Attributes;

namespace Mellea.Benchmarks;

/// <summary>Goal 2: a 1,000-chunk chat stream read by each client.</summary>
[MemoryDiagnoser]
public class StreamingBenchmarks : ClientBenchmarksBase
{
    [Benchmark(Baseline = true)]
    public ValueTask<long> Mellea_backend() => Clients.StreamBackend();

    [Benchmark]
    public ValueTask<long> Mellea_full_pipeline_listening() => Clients.StreamPipeline();

    [Benchmark]
    public ValueTask<long> OpenAI_SDK() => Clients.StreamSdk();

    [Benchmark]
    public ValueTask<long> Reference_consumer() => Clients.StreamReference();

    [Benchmark]
    public ValueTask<long> Length_only_floor() => Clients.StreamLengthOnly();
}
