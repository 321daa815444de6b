using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Mellea.Backends.HuggingFace;
using Mellea.Testing;

namespace Mellea.Benchmarks;

/// <summary>
/// Goal 5 for TGI: a 1,000-token <c>/generate_stream</c> SSE body (<c>data:{…}</c> without a space, no <c>[DONE]</c>, the last event
/// with <c>generated_text</c> and <c>details</c>), rendered by the emulator's own TGI wire format, read by the Mellea Hugging Face
/// backend (a one-prompt raw completion whose <c>/generate</c> answer streams) and by a reference consumer (events split by
/// <see cref="SseParser"/>, each read with <see cref="Utf8JsonReader"/>, nothing allocated per event), through the same in-memory handler.
/// </summary>
internal sealed class TgiComparison : IDisposable
{
    private static readonly RawCompletionRequest Request = new(["Say something long."]);
    private static readonly byte[] RequestBody = Encoding.UTF8.GetBytes(
        "{\"inputs\":\"Say something long.\",\"parameters\":{\"details\":true,\"return_full_text\":false},\"stream\":true}");

    private static readonly SseItemParser<long> ParseEvent = static (_, data) => TokenLength(data);

    private readonly HttpClient _http;
    private readonly HuggingFaceBackend _backend;

    public TgiComparison(int chunks)
    {
        var recorded = new RecordedRequest("POST", "/generate_stream", string.Empty, new Dictionary<string, string>(), RequestBody);
        var body = Encoding.UTF8.GetBytes(string.Concat(new TgiWireFormat().RenderStream(WireFixtures.Script(chunks), recorded)));
        BodyLength = body.Length;
        _http = new HttpClient(new FixedBodyHandler(body, "text/event-stream"));
        _backend = new HuggingFaceBackend(_http, new HuggingFaceBackendOptions { BaseUrl = "http://bench.invalid", Model = "tgi" }, _ => null);
    }

    public int BodyLength { get; }

    public async ValueTask<long> Backend()
    {
        var response = await _backend.CompleteRawAsync(Request);
        return response.Completions[0].Text.Length;
    }

    public async ValueTask<long> Reference()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://bench.invalid/generate_stream") { Content = new ByteArrayContent(RequestBody) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
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

    /// <summary>The characters of the event's <c>token.text</c> (0 for a special token); the span is not copied into a string.</summary>
    private static long TokenLength(ReadOnlySpan<byte> data)
    {
        long length = 0;
        var reader = new Utf8JsonReader(data);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("token"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }

            reader.Read();
            long text = 0;
            var special = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("text"u8) && reader.Read() && reader.TokenType == JsonTokenType.String)
                {
                    text = reader.ValueIsEscaped ? reader.GetString()!.Length : Encoding.UTF8.GetCharCount(reader.ValueSpan);
                }
                else if (reader.ValueTextEquals("special"u8))
                {
                    reader.Read();
                    special = reader.TokenType == JsonTokenType.True;
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            length += special ? 0 : text;
        }

        return length;
    }
}
