using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace Mellea.Benchmarks;

/// <summary>
/// The realistic floor: posts a fixed body, reads the events with <see cref="SseParser"/> and each chunk with
/// <see cref="Utf8JsonReader"/>, and allocates nothing per chunk (the parsed item is a number, not an object). With
/// <c>lengthOnly</c> the JSON is not even read: the events are only split, which is the floor of the floor.
/// </summary>
internal sealed class ReferenceConsumer(HttpClient http, Uri chatUri)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private static readonly AuthenticationHeaderValue Bearer = new("Bearer", "sk-bench");
    private static readonly SseItemParser<long> ParseChunk = static (_, data) => ContentLength(data);
    private static readonly SseItemParser<long> MeasureChunk = static (_, data) => data.Length;

    public async ValueTask<long> StreamAsync(bool lengthOnly)
    {
        using var request = Post(WireFixtures.StreamRequestBody);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync();
        long total = 0;
        await foreach (var item in SseParser.Create(stream, lengthOnly ? MeasureChunk : ParseChunk).EnumerateAsync())
        {
            total += item.Data;
        }

        return total;
    }

    public async ValueTask<long> ChatAsync(bool lengthOnly)
    {
        using var request = Post(WireFixtures.ChatRequestBody);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync();
        return lengthOnly ? body.Length : ContentLength(body);
    }

    private HttpRequestMessage Post(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, chatUri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = Json;
        request.Headers.Authorization = Bearer;
        return request;
    }

    /// <summary>The length of every <c>content</c> string in the JSON (a delta's or a message's); 0 for <c>[DONE]</c>.</summary>
    private static long ContentLength(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0 || data[0] != (byte)'{')
        {
            return 0;
        }

        long length = 0;
        var reader = new Utf8JsonReader(data);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    // Characters, as the other clients count them; the span is not copied into a string.
                    length += reader.ValueIsEscaped || reader.HasValueSequence
                        ? reader.GetString()!.Length
                        : System.Text.Encoding.UTF8.GetCharCount(reader.ValueSpan);
                }
            }
        }

        return length;
    }
}
