using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Mellea.Backends.Watsonx;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>
/// Goal 5 for watsonx: a 1,000-chunk <c>/ml/v1/text/chat_stream</c> SSE body (<c>id:</c> and <c>event: message</c> lines, no
/// <c>[DONE]</c>, a final <c>choices:[]</c> usage chunk), rendered by the emulator's own watsonx wire format, read by the Mellea watsonx
/// backend and by a reference consumer (events split by <see cref="SseParser"/>, each read with <see cref="Utf8JsonReader"/>, nothing
/// allocated per event beyond what the parser itself allocates), through the same in-memory handler. The backend's IAM token is
/// fetched once, in warm-up, and cached.
/// </summary>
internal sealed class WatsonxComparison : IDisposable
{
    private const string Model = "ibm/granite-3-8b-instruct";
    private static readonly ChatRequest Request = new("Say something long.");
    private static readonly byte[] RequestBody = Encoding.UTF8.GetBytes(
        "{\"model_id\":\"ibm/granite-3-8b-instruct\",\"project_id\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"Say something long.\"}]}");

    private static readonly SseItemParser<long> ParseEvent = static (_, data) => ContentLength(data);

    private readonly HttpClient _http;
    private readonly WatsonxBackend _backend;

    public WatsonxComparison(int chunks)
    {
        var recorded = new RecordedRequest("POST", "/ml/v1/text/chat_stream", "?version=2025-12-02", new Dictionary<string, string>(), RequestBody);
        var body = Encoding.UTF8.GetBytes(string.Concat(new WatsonxWireFormat().RenderStream(WireFixtures.Script(chunks), recorded)));
        BodyLength = body.Length;
        _http = new HttpClient(new FixedBodyHandler(body, "text/event-stream"));
        _backend = new WatsonxBackend(_http, new WatsonxBackendOptions
        {
            BaseUrl = "http://bench.invalid",
            ApiKey = "bench-key",
            ProjectId = "bench",
            IamUrl = "http://bench.invalid/identity/token",
            Model = Model,
        }, _ => null);
    }

    public int BodyLength { get; }

    public async ValueTask<long> Backend()
    {
        long chars = 0;
        await foreach (var update in _backend.StreamChatAsync(Request))
        {
            chars += update.TextDelta?.Length ?? 0;
        }

        return chars;
    }

    public async ValueTask<long> Reference()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://bench.invalid/ml/v1/text/chat_stream?version=2025-12-02") { Content = new ByteArrayContent(RequestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "bench-token");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        long chars = 0;
        await foreach (var item in SseParser.Create(stream, ParseEvent).EnumerateAsync())
        {
            chars += item.Data;
        }

        return chars;
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The characters of every <c>content</c> string in the chunk; the span is not copied into a string.</summary>
    private static long ContentLength(ReadOnlySpan<byte> data)
    {
        long length = 0;
        var reader = new Utf8JsonReader(data);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
            {
                length += reader.ValueIsEscaped ? reader.GetString()!.Length : Encoding.UTF8.GetCharCount(reader.ValueSpan);
            }
        }

        return length;
    }
}
