using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>
/// A stream is complete only when its end signal arrived: <c>data: [DONE]</c>, or a finish reason on every choice (routers that end at
/// EOF). A body that ends cleanly before either is a typed transport error after the updates already delivered, never a success.
/// </summary>
public sealed class StreamEndTests
{
    private const string Chunk = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}]}\n\n";
    private const string Finish = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n";
    private const string Done = "data: [DONE]\n\n";

    public static TheoryData<string> Backends => ["openai", "litellm"];

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_complete_stream_succeeds_with_its_finish_reason(string backend)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo", " there"));
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(Create(backend, emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        TestBackends.Text(updates).Should().Be("Hello there");
        updates[^1].Metadata!.FinishReasons.Select(f => f.Value).Should().Equal("stop");
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task A_stream_cut_after_some_updates_is_a_transport_error_after_the_delivered_updates(string backend)
    {
        await using var emulator = await ProviderEmulator.StartAsync();

        // Frames: the role, "Hel", "lo", then the body ends cleanly: no " there", no finish reason, no [DONE].
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo", " there").WithFault(EmulatorFault.Truncated(afterChunks: 3)));
        using var client = new HttpClient();

        var (updates, error) = await DrainAsync(Create(backend, emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        TestBackends.Text(updates).Should().Be("Hello", "what arrived stays delivered");
        updates.Should().OnlyContain(u => u.Metadata == null, "no final update: the stream did not complete");
        var typed = error.Should().BeOfType<GenerationException>().Subject;
        typed.Category.Should().Be(ErrorCategory.TransportError);
        typed.ProviderName.Should().Be(backend);
        typed.Message.Should().Contain(backend).And.Contain("end signal").And.Contain("[DONE]").And.NotContain("Hel");
        typed.Message.Should().NotContain(TestBackends.ApiKey);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public async Task An_empty_200_stream_body_is_a_transport_error(string backend)
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.EmptyBody()));
        using var client = new HttpClient();

        var (updates, error) = await DrainAsync(Create(backend, emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        updates.Should().BeEmpty();
        error.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
    }

    [Fact]
    public async Task Done_without_a_finish_reason_is_complete_because_done_is_the_end_signal()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(new EmulatorScript { RawFrames = [Chunk, Done], RawContentType = "text/event-stream" });
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        TestBackends.Text(updates).Should().Be("hi");
        updates[^1].Metadata!.FinishReasons.Should().BeEmpty("the provider sent none; [DONE] still says the answer is whole");
    }

    [Fact]
    public async Task A_finish_reason_on_every_choice_without_done_is_complete_as_routers_end_at_eof()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(new EmulatorScript { RawFrames = [Chunk, Finish], RawContentType = "text/event-stream" });
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        updates[^1].Metadata!.FinishReasons.Select(f => f.Value).Should().Equal("stop");
    }

    [Fact]
    public async Task A_stream_where_one_of_two_choices_finished_and_no_done_came_is_cut()
    {
        const string second = "data: {\"id\":\"c1\",\"model\":\"m\",\"choices\":[{\"index\":1,\"delta\":{\"content\":\"yo\"},\"finish_reason\":null}]}\n\n";
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(new EmulatorScript { RawFrames = [Chunk, second, Finish], RawContentType = "text/event-stream" });
        using var client = new HttpClient();

        var (updates, error) = await DrainAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi", new() { ChoiceCount = 2 }), TestContext.Current.CancellationToken));

        TestBackends.Text(updates, 1).Should().Be("yo");
        error.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
    }

    private static IGenerationHandler Create(string backend, ProviderEmulator emulator, HttpClient client) =>
        backend == "openai" ? TestBackends.OpenAI(emulator, client) : TestBackends.LiteLlm(emulator, client);

    private static async Task<(List<ChatResponseUpdate> Updates, Exception? Error)> DrainAsync(IAsyncEnumerable<ChatResponseUpdate> stream)
    {
        var updates = new List<ChatResponseUpdate>();
        try
        {
            await foreach (var update in stream)
            {
                updates.Add(update);
            }
        }
        catch (Exception ex)
        {
            return (updates, ex);
        }

        return (updates, null);
    }
}
