using System.Buffers;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mellea.Backends.Ollama;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>
/// Goal 5 for Ollama: a 1,000-chunk NDJSON <c>/api/chat</c> stream read by the Mellea Ollama backend and by a reference
/// consumer (lines split in one pooled buffer, each read with <see cref="Utf8JsonReader"/>, nothing allocated per line),
/// through the same in-memory handler. The body is rendered by the emulator's own Ollama wire format.
/// </summary>
internal sealed class OllamaComparison : IDisposable
{
    private const string Model = "llama3.2";
    private static readonly ChatRequest Request = new("Say something long.");
    private static readonly byte[] RequestBody = Encoding.UTF8.GetBytes(
        "{\"model\":\"llama3.2\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something long.\"}],\"stream\":true}");

    private readonly HttpClient _http;
    private readonly OllamaBackend _backend;

    public OllamaComparison(int chunks)
    {
        var recorded = new RecordedRequest("POST", "/api/chat", string.Empty, new Dictionary<string, string>(), RequestBody);
        var body = Encoding.UTF8.GetBytes(string.Concat(new OllamaWireFormat().RenderStream(WireFixtures.Script(chunks), recorded)));
        BodyLength = body.Length;
        _http = new HttpClient(new FixedBodyHandler(body, "application/x-ndjson"));
        _backend = new OllamaBackend(_http, new OllamaBackendOptions { BaseUrl = "http://bench.invalid", Model = Model }, _ => null);
    }

    public int BodyLength { get; }

    /// <summary>The last update <see cref="ReferenceWithUpdates"/> made.</summary>
    public ChatResponseUpdate? LastUpdate { get; private set; }

    public async ValueTask<long> Backend()
    {
        long chars = 0;
        await foreach (var update in _backend.StreamChatAsync(Request))
        {
            chars += update.TextDelta?.Length ?? 0;
        }

        return chars;
    }

    public ValueTask<long> Reference() => ReadAsync(withUpdates: false);

    /// <summary>
    /// The reference plus what any consumer that hands out updates must allocate per line: the text as a string and one
    /// <see cref="ChatResponseUpdate"/>. For information: it shows how much of the backend's time over the reference is those two objects.
    /// </summary>
    public ValueTask<long> ReferenceWithUpdates() => ReadAsync(withUpdates: true);

    private async ValueTask<long> ReadAsync(bool withUpdates)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://bench.invalid/api/chat") { Content = new ByteArrayContent(RequestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long chars = 0;
            var filled = 0;
            while (true)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled));
                filled += read;
                var start = 0;
                int newline;
                while ((newline = buffer.AsSpan(start, filled - start).IndexOf((byte)'\n')) >= 0)
                {
                    chars += ContentLength(buffer.AsSpan(start, newline), withUpdates);
                    start += newline + 1;
                }

                if (read == 0)
                {
                    chars += ContentLength(buffer.AsSpan(start, filled - start), withUpdates);
                    return chars;
                }

                buffer.AsSpan(start, filled - start).CopyTo(buffer);
                filled -= start;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _http.Dispose();

    // Kept in a field, as a consumer keeps what it is handed: an update that never escapes could live on the stack.
    private int Deliver(string text)
    {
        LastUpdate = new ChatResponseUpdate { TextDelta = text };
        return text.Length;
    }

    private long ContentLength(ReadOnlySpan<byte> line, bool withUpdate)
    {
        if (line.IsEmpty)
        {
            return 0;
        }

        long length = 0;
        var reader = new Utf8JsonReader(line);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                length += withUpdate && !reader.ValueSpan.IsEmpty ? Deliver(reader.GetString()!)
                    : reader.ValueIsEscaped ? reader.GetString()!.Length : Encoding.UTF8.GetCharCount(reader.ValueSpan);
            }
        }

        return length;
    }
}
