using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Mellea.Tracing.Tests;

/// <summary>Runs alone: "nothing listens" is a process-wide fact that parallel tests with collectors would change.</summary>
[CollectionDefinition(nameof(NoListenerCollection), DisableParallelization = true)]
public sealed class NoListenerCollection;

[Collection(nameof(NoListenerCollection))]
public sealed class NoListenerTests
{
    [Fact]
    public async Task With_nothing_listening_a_traced_chat_call_allocates_nothing_extra()
    {
        MelleaTelemetry.GenerationSource.HasListeners().Should().BeFalse();
        var handler = new SyncHandler();
        var pipeline = handler.AsBuilder().UseTracing().Build();
        var request = new ChatRequest("hi");
        for (var i = 0; i < 100; i++)
        {
            await pipeline.ChatAsync(request);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            await pipeline.ChatAsync(request);
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000.0;
        perCall.Should().Be(0);
    }

    [Fact]
    public async Task With_nothing_listening_a_traced_stream_allocates_nothing_per_update()
    {
        var shortStream = new SyncHandler { UpdateCount = 10 }.AsBuilder().UseTracing().Build();
        var longStream = new SyncHandler { UpdateCount = 1010 }.AsBuilder().UseTracing().Build();
        var request = new ChatRequest("hi");
        await Consume(shortStream, request);
        await Consume(longStream, request);

        var shortBytes = await Measure(shortStream, request);
        var longBytes = await Measure(longStream, request);

        ((longBytes - shortBytes) / 1000.0).Should().Be(0, "each extra update costs no bytes in the pipeline");
    }

    [Fact]
    public void No_mutable_static_state_exists_beyond_the_telemetry_sources()
    {
        var offenders = new List<string>();
        foreach (var assembly in new[] { typeof(IGenerationHandler).Assembly, typeof(GenerationPipeline).Assembly })
        {
            foreach (var type in assembly.GetTypes())
            {
                // Stryker (mutation testing, README) compiles its mutant switches into the assembly under
                // test as static fields in a namespace of its own: they are the tool's, not ours.
                if (type.IsDefined(typeof(CompilerGeneratedAttribute)) || type.Name.Contains('<')
                    || type.Namespace?.StartsWith("Stryker", StringComparison.Ordinal) == true)
                {
                    continue;
                }

                foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (field.IsLiteral || field.Name.Contains('<'))
                    {
                        continue;
                    }

                    var mutableCollection = typeof(System.Collections.IEnumerable).IsAssignableFrom(field.FieldType) && field.FieldType != typeof(string);
                    if (!field.IsInitOnly || mutableCollection)
                    {
                        offenders.Add($"{type.FullName}.{field.Name} ({field.FieldType.Name})");
                    }
                }
            }
        }

        offenders.Should().BeEmpty("no dictionary of in-flight spans, no mutable caches: only the static ActivitySources and Meter");
    }

    private static async Task Consume(GenerationPipeline pipeline, ChatRequest request)
    {
        await foreach (var update in pipeline.StreamChatAsync(request))
        {
            _ = update;
        }
    }

    private static async Task<long> Measure(GenerationPipeline pipeline, ChatRequest request)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        await Consume(pipeline, request);
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Completes synchronously with canned objects, so every byte measured is the pipeline's.</summary>
    private sealed class SyncHandler : IGenerationHandler
    {
        private static readonly ChatResponse Response = new("canned", new GenerationMetadata());
        private static readonly ChatResponseUpdate Update = new() { TextDelta = "x" };
        private static readonly ChatResponseUpdate Final = new() { Metadata = new GenerationMetadata() };

        public int UpdateCount { get; init; } = 10;

        public GenerationHandlerInfo Info { get; } = new("test", new Uri("http://127.0.0.1:1"), "m");

        public ValueTask<ChatResponse> ChatAsync(ChatRequest request, CancellationToken cancellationToken = default) => new(Response);

        public IAsyncEnumerable<ChatResponseUpdate> StreamChatAsync(ChatRequest request, CancellationToken cancellationToken = default) =>
            new CannedStream(UpdateCount);

        public ValueTask<RawCompletionResponse> CompleteRawAsync(RawCompletionRequest request, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        private sealed class CannedStream(int count) : IAsyncEnumerable<ChatResponseUpdate>, IAsyncEnumerator<ChatResponseUpdate>
        {
            private int _index = -1;

            public ChatResponseUpdate Current => _index < count ? Update : Final;

            public IAsyncEnumerator<ChatResponseUpdate> GetAsyncEnumerator(CancellationToken cancellationToken = default) => this;

            public ValueTask<bool> MoveNextAsync() => new(++_index <= count);

            public ValueTask DisposeAsync() => default;
        }
    }
}
