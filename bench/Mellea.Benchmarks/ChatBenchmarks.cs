using BenchmarkDotNet.Attributes;

namespace Mellea.Benchmarks;

/// <summary>Goal 3: a whole (non-streamed) chat completion of the same text read by each client.</summary>
[MemoryDiagnoser]
public class ChatBenchmarks : ClientBenchmarksBase
{
    [Benchmark(Baseline = true)]
    public ValueTask<long> Mellea_backend() => Clients.ChatBackend();

    [Benchmark]
    public ValueTask<long> Mellea_full_pipeline_listening() => Clients.ChatPipeline();

    [Benchmark]
    public ValueTask<long> OpenAI_SDK() => Clients.ChatSdk();

    [Benchmark]
    public ValueTask<long> Reference_consumer() => Clients.ChatReference();

    [Benchmark]
    public ValueTask<long> Length_only_floor() => Clients.ChatLengthOnly();
}
