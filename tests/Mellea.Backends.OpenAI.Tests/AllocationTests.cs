using System.Text;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>
/// Guards the streaming hot path against allocation regressions: per chunk, the update and its text and nothing else
/// (a JsonDocument or a string per event would multiply the figure). In-memory transport so the whole stream runs on this thread.
/// </summary>
public sealed class AllocationTests
{
    [Fact]
    public async Task A_thousand_chunk_stream_allocates_about_one_update_and_its_text_per_chunk()
    {
        const int chunks = 1000;
        var body = new StringBuilder();
        for (var i = 0; i < chunks; i++)
        {
            body.Append("data: {\"id\":\"chatcmpl-D8dUAJuyyWxWUFRdcu8FB6Vi6yfLu\",\"object\":\"chat.completion.chunk\",\"created\":1770950778,\"model\":\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_373a14eb6f\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\" tok\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"ggZvi\"}\n\n");
        }

        body.Append("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1000}}\n\ndata: [DONE]\n\n");
        using var client = new HttpClient(new InMemoryHandler(Encoding.UTF8.GetBytes(body.ToString())));
        var backend = new OpenAIBackend(client, new() { ApiKey = "k", Model = "m", BaseUrl = "http://localhost/v1" });
        var request = new ChatRequest("hi");
        await CountAsync(backend, request);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var updates = await CountAsync(backend, request);
        var perChunk = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)chunks;

        updates.Should().Be(chunks + 2);
        perChunk.Should().BeLessThan(250, "an update (~80 bytes) and a short string (~30 bytes) per chunk, plus the per-call fixed cost spread over 1000 chunks");
    }

    private static async Task<int> CountAsync(OpenAIBackend backend, ChatRequest request)
    {
        var count = 0;
        await foreach (var update in backend.StreamChatAsync(request, TestContext.Current.CancellationToken))
        {
            count++;
        }

        return count;
    }

    private sealed class InMemoryHandler(byte[] body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage { Content = new StreamContent(new MemoryStream(body, writable: false)) });
    }
}
