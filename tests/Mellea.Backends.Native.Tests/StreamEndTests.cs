using Mellea.Backends.HuggingFace;
using Mellea.Backends.Watsonx;
using Mellea.Testing;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

/// <summary>
/// Each format's end signal: watsonx chat_stream (no <c>[DONE]</c>) ends with a finish reason on every choice, generation_stream with a
/// final <c>stop_reason</c>, TGI generate_stream with its <c>details</c> event, the Hugging Face Messages API with <c>[DONE]</c>. A body
/// that ends cleanly before it is a typed transport error after whatever was delivered, never a success.
/// </summary>
public sealed class StreamEndTests
{
    private const string Key = "wx-MARKER-apikey-end";
    private const string HfToken = "hf_MARKER_end";

    [Fact]
    public async Task Watsonx_complete_chat_stream_succeeds_with_its_finish_and_usage()
    {
        await using var rig = await WatsonxRig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Text("Hel", "lo").WithUsage(5, 2));

        var updates = await CollectAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token));

        Text(updates).Should().Be("Hello");
        Final(updates).FinishReasons.Select(f => f.Value).Should().Equal("stop");
        Final(updates).Usage!.OutputTokens.Should().Be(2);
    }

    [Fact]
    public async Task Watsonx_chat_stream_cut_after_some_updates_is_a_transport_error_after_them()
    {
        await using var rig = await WatsonxRig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Text("Hel", "lo", " there").WithFault(EmulatorFault.Truncated(afterChunks: 3)));

        var (updates, error) = await DrainAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token));

        Text(updates).Should().NotBeEmpty().And.Match(t => "Hello there".StartsWith(t, StringComparison.Ordinal) && t.Length < "Hello there".Length);
        updates.Should().OnlyContain(u => u.Metadata == null);
        var typed = error.Should().BeOfType<GenerationException>().Subject;
        typed.Category.Should().Be(ErrorCategory.TransportError);
        typed.Message.Should().Contain("watsonx").And.Contain("end signal").And.NotContain("Hel").And.NotContain(Key);
    }

    [Fact]
    public async Task Watsonx_empty_200_chat_stream_is_a_transport_error()
    {
        await using var rig = await WatsonxRig.StartAsync();
        rig.Service.Enqueue(EmulatorScript.Failing(EmulatorFault.EmptyBody()));

        var (updates, error) = await DrainAsync(rig.Backend.StreamChatAsync(new ChatRequest("hi"), Token));

        updates.Should().BeEmpty();
        error.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
    }

    [Fact]
    public async Task Watsonx_generation_stream_cut_before_its_final_stop_reason_is_a_transport_error()
    {
        await using var rig = await WatsonxRig.StartAsync();
        var request = new RecordedRequest("POST", "/ml/v1/text/generation_stream", string.Empty, new Dictionary<string, string>(), []);
        var frames = new WatsonxWireFormat().RenderStream(EmulatorScript.Text("Hel", "lo").WithUsage(5, 2), request);
        rig.Service.Enqueue(new EmulatorScript { RawFrames = [.. frames], RawContentType = "text/event-stream" });
        rig.Service.Enqueue(new EmulatorScript { RawFrames = [.. frames.Take(frames.Count - 1)], RawContentType = "text/event-stream" });

        var whole = await rig.Backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token);
        var cut = await Record.ExceptionAsync(() => rig.Backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token).AsTask());

        whole.Completions[0].Text.Should().Be("Hello");
        whole.Completions[0].FinishReason.Should().NotBeNull();
        var typed = cut.Should().BeOfType<GenerationException>().Subject;
        typed.Category.Should().Be(ErrorCategory.TransportError);
        typed.Message.Should().Contain("stop_reason");
    }

    [Fact]
    public async Task Hugging_face_chat_stream_cut_before_done_is_a_transport_error_and_empty_body_too()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat());
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo", " there").WithFault(EmulatorFault.Truncated(afterChunks: 3)));
        emulator.Enqueue(EmulatorScript.Failing(EmulatorFault.EmptyBody()));
        emulator.Enqueue(EmulatorScript.Text("Hel", "lo"));
        using var client = new HttpClient();
        var backend = new HuggingFaceBackend(client, new HuggingFaceBackendOptions { Model = "m" }, Environment(("HF_TOKEN", HfToken), ("HF_BASE_URL", emulator.OpenAIBaseUrl)));

        var (cutUpdates, cut) = await DrainAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var (emptyUpdates, empty) = await DrainAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));
        var whole = await CollectAsync(backend.StreamChatAsync(new ChatRequest("hi"), Token));

        Text(cutUpdates).Should().NotBeEmpty();
        "Hello there".Should().StartWith(Text(cutUpdates));
        cut.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
        cut!.Message.Should().Contain("huggingface").And.NotContain(HfToken);
        emptyUpdates.Should().BeEmpty();
        empty.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
        Text(whole).Should().Be("Hello");
        Final(whole).FinishReasons.Should().ContainSingle();
    }

    [Fact]
    public async Task Tgi_generate_stream_cut_before_its_details_event_is_a_transport_error()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new TgiWireFormat { SendTokenHeaders = false });
        var request = new RecordedRequest("POST", "/generate_stream", string.Empty, new Dictionary<string, string>(), []);
        var frames = new TgiWireFormat().RenderStream(EmulatorScript.Text("Hel", "lo").WithUsage(7, 2), request);
        emulator.Enqueue(new EmulatorScript { RawFrames = [.. frames.Take(frames.Count - 1)], RawContentType = "text/event-stream" });
        using var client = new HttpClient();
        var backend = new HuggingFaceBackend(client, new HuggingFaceBackendOptions { Model = "m" }, Environment(("HF_TOKEN", HfToken), ("HF_BASE_URL", emulator.OpenAIBaseUrl)));

        var error = await Record.ExceptionAsync(() => backend.CompleteRawAsync(new RawCompletionRequest(["x"]), Token).AsTask());

        error.Should().BeOfType<GenerationException>().Which.Category.Should().Be(ErrorCategory.TransportError);
    }

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

    private sealed class WatsonxRig : IAsyncDisposable
    {
        private WatsonxRig(ProviderEmulator service, ProviderEmulator iam, HttpClient client, WatsonxBackend backend)
        {
            Service = service;
            Iam = iam;
            Client = client;
            Backend = backend;
        }

        public ProviderEmulator Service { get; }

        public ProviderEmulator Iam { get; }

        public HttpClient Client { get; }

        public WatsonxBackend Backend { get; }

        public static async Task<WatsonxRig> StartAsync()
        {
            var service = await ProviderEmulator.StartAsync(new WatsonxWireFormat());
            var iam = await ProviderEmulator.StartAsync(new WatsonxIamWireFormat());
            iam.DefaultScript = new EmulatorScript();
            var client = new HttpClient();
            var backend = new WatsonxBackend(client, new WatsonxBackendOptions { Model = "ibm/granite-3-3-8b-instruct" }, Environment(
                ("WATSONX_URL", service.BaseAddress.AbsoluteUri),
                ("WATSONX_API_KEY", Key),
                ("WATSONX_PROJECT_ID", "63dc4cf1-252f-424b-b52d-5cdd9814987f"),
                ("WATSONX_IAM_URL", WatsonxIamWireFormat.TokenUrl(iam))));
            return new WatsonxRig(service, iam, client, backend);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Service.DisposeAsync();
            await Iam.DisposeAsync();
        }
    }
}
