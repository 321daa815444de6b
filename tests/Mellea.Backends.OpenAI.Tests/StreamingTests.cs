using Mellea.Testing;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>Streamed answers: updates per choice, tool-call fragments, and final metadata equal to the non-streamed answer's.</summary>
public sealed class StreamingTests
{
    [Fact]
    public async Task Scripted_stream_and_whole_answer_give_identical_metadata_and_content()
    {
        var script = new EmulatorScript { ResponseId = "chatcmpl-twin", Model = "gpt-twin-2025" }
            .WithUsage(120, 45, cachedInputTokens: 64, reasoningOutputTokens: 12)
            .WithHeader("x-request-id", "req_twin");
        var first = new ScriptedChoice();
        first.TextChunks.Add("Let me ");
        first.TextChunks.Add("check.");
        first.ToolCalls.Add(new ScriptedToolCall("call_a", "get_weather", "{\"city\":", "\"Paris\"}"));
        first.ToolCalls.Add(new ScriptedToolCall("call_b", "get_time", "{}"));
        var second = new ScriptedChoice { FinishReason = "length" };
        second.TextChunks.Add("Sure");
        second.ReasoningChunks.Add("thinking");
        script.Choices.Add(first);
        script.Choices.Add(second);
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = script;
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);
        var request = new ChatRequest("hi", new() { ChoiceCount = 2 });

        var updates = await TestBackends.CollectAsync(backend.StreamChatAsync(request, TestContext.Current.CancellationToken));
        var whole = await backend.ChatAsync(request, TestContext.Current.CancellationToken);

        var streamed = updates[^1].Metadata!;
        streamed.Should().BeEquivalentTo(whole.Metadata, o => o.Excluding(m => m.Streamed));
        streamed.FinishReasons.Select(f => f.Value).Should().Equal("tool_call", "length");
        streamed.Usage!.CacheReadInputTokens.Should().Be(64);
        streamed.Usage.ReasoningOutputTokens.Should().Be(12);
        streamed.Usage.TotalTokens.Should().Be(165);
        streamed.ProviderRequestId.Should().Be("req_twin");
        streamed.RequestModel.Should().Be("gpt-test");
        TestBackends.Text(updates, 0).Should().Be(whole.Choices[0].Text).And.Be("Let me check.");
        TestBackends.Text(updates, 1).Should().Be("Sure");
        string.Concat(updates.Where(u => u.ChoiceIndex == 1).Select(u => u.ReasoningDelta)).Should().Be(whole.Choices[1].ReasoningText).And.Be("thinking");
        TestBackends.ToolCalls(updates).Should().Equal(("call_a", "get_weather", "{\"city\":\"Paris\"}"), ("call_b", "get_time", "{}"));
        whole.ToolCalls.Select(c => c.ArgumentsJson).Should().Equal("{\"city\":\"Paris\"}", "{}");
    }

    [Fact]
    public async Task Interleaved_choices_keep_their_index_and_each_gets_its_finish()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.MultipleChoices("a", "b", "c"));
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi", new() { ChoiceCount = 3 }), TestContext.Current.CancellationToken));

        updates.Where(u => u.TextDelta is not null).Select(u => (u.ChoiceIndex, u.TextDelta)).Should().Equal((0, "a"), (1, "b"), (2, "c"));
        updates.Where(u => u.FinishReason is not null).Select(u => u.ChoiceIndex).Should().Equal(0, 1, 2);
        updates[^1].Metadata!.FinishReasons.Should().HaveCount(3);
    }

    [Fact]
    public async Task Tool_call_fragments_arrive_as_updates_with_arguments_as_json_text()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(EmulatorScript.ToolCall("call_9", "lookup", "{\"q\":", "\"x\"}"));
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        var deltas = updates.Where(u => u.ToolCallDeltas is not null).SelectMany(u => u.ToolCallDeltas!).ToList();
        deltas[0].CallId.Should().Be("call_9");
        deltas[0].Name.Should().Be("lookup");
        deltas.Skip(1).Select(d => d.ArgumentsDelta).Should().Equal("{\"q\":", "\"x\"}");
        deltas.Skip(1).Should().OnlyContain(d => d.CallId == null && d.Index == 0);
        updates.Single(u => u.FinishReason is not null).FinishReason!.Value.Kind.Should().Be(FinishReasonKind.ToolCall);
    }

    [Fact]
    public async Task A_stream_that_ends_without_done_still_ends_cleanly_with_metadata()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(new EmulatorScript
        {
            RawFrames =
            [
                "data:{\"id\":\"c1\",\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"no space\"}}]}\n\n",
                ": a comment line\n\n",
                "data: {\"id\":\"c1\",\"model\":\"m1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":2}}",
            ],
            RawContentType = "text/event-stream",
        });
        using var client = new HttpClient();

        var updates = await TestBackends.CollectAsync(TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        TestBackends.Text(updates).Should().Be("no space", "'data:' without a space is accepted");
        var metadata = updates[^1].Metadata!;
        metadata.FinishReasons.Should().ContainSingle("the last event has no blank line after it and is still read").Which.Value.Should().Be("stop");
        metadata.Usage!.TotalTokens.Should().Be(3, "a missing total is input plus output");
        metadata.ResponseId.Should().Be("c1");
    }

    [Fact]
    public async Task Abandoning_a_stream_early_releases_it()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.DefaultScript = EmulatorScript.Text("a", "b", "c", "d");
        using var client = new HttpClient();
        var backend = TestBackends.OpenAI(emulator, client);

        await foreach (var update in backend.StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken))
        {
            if (update.TextDelta == "b")
            {
                break;
            }
        }

        var again = await TestBackends.CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), TestContext.Current.CancellationToken));

        TestBackends.Text(again).Should().Be("abcd");
    }

    [Fact]
    public async Task Cancelling_mid_stream_surfaces_as_operation_canceled()
    {
        await using var emulator = await ProviderEmulator.StartAsync();
        emulator.Enqueue(new EmulatorScript
        {
            // The first event carries text at once; the second would come only after a long pause the caller never waits out.
            RawFrames =
            [
                "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"a\"}}]}\n\n",
                "data: {\"id\":\"c\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"b\"}}]}\n\n",
            ],
            RawContentType = "text/event-stream",
            ChunkDelay = TimeSpan.FromSeconds(30),
        });
        using var client = new HttpClient();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var received = new List<ChatResponseUpdate>();

        var read = async () =>
        {
            await foreach (var update in TestBackends.OpenAI(emulator, client).StreamChatAsync(new ChatRequest("hi"), cancellation.Token))
            {
                received.Add(update);
                await cancellation.CancelAsync();
            }
        };

        var thrown = await read.Should().ThrowAsync<OperationCanceledException>();
        thrown.Which.Should().NotBeOfType<GenerationException>();
        received.Should().ContainSingle().Which.TextDelta.Should().Be("a");
    }
}
