using System.Net.ServerSentEvents;
using System.Text;
using Mellea.Backends.Http;

namespace Mellea.Backends.OpenAI.Tests;

/// <summary>
/// The transport's own SSE splitter against <see cref="SseParser"/> on awkward bodies read whole and a few bytes at a time: both must
/// give the same events (type and data). Intended differences: a last event cut off at end of file is delivered (given to
/// <see cref="SseParser"/> as the blank line it lacks), and where <see cref="SseParser"/> departs from the specification the splitter
/// follows the specification (an empty <c>event:</c> is <c>message</c>; a blank line with no data resets the event type).
/// </summary>
public sealed class ServerSentEventSplitterTests
{
    private static readonly ProviderErrorContext Context = new("test", secret: null, credentialSetting: "TEST_KEY");

    public static TheoryData<string> Bodies => new()
    {
        "data: {\"a\":1}\n\ndata: {\"a\":2}\n\n",
        "data:{\"a\":1}\n\ndata:{\"a\":2}",
        "data: one\ndata: two\ndata:three\n\n",
        "event: error\ndata: {\"e\":1}\n\nevent: custom\ndata: x\n\nevent:\ndata: y\n\n",
        "id: 7\nretry: 10\n: comment\nunknown: field\ndata: a\n\n\n\n\ndata: b\n",
        "data: crlf\r\n\r\ndata: cr\r\rdata: mixed\r\n\ndata: end\r",
        "\uFEFFdata: bom\n\n",
        "data\n\ndata:\n\ndata: \n\n",
        "data: a:b: c\n\ndata:  two spaces\n\n",
        "data: cut off at the end",
        "data: first\ndata: second",
        "",
        "\n\n\n",
        "data: é and 漢字 and 🙂\n\n",
        string.Concat(Enumerable.Range(0, 400).Select(i => $"id: {i}\nevent: message\ndata: {{\"i\":{i},\"pad\":\"{new string('x', i % 97)}\"}}\n\n")),
        "data: " + new string('z', 40_000) + "\ndata: " + new string('y', 20_000) + "\n\n",
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Splits_as_SseParser_does(string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var expected = new List<string>();
        await foreach (var item in SseParser.Create(new MemoryStream([.. bytes, .. "\n\n"u8.ToArray()]), static (type, data) => type + "|" + Encoding.UTF8.GetString(data)).EnumerateAsync(TestContext.Current.CancellationToken))
        {
            // SseParser hands out an empty type for an empty "event:"; the specification says message.
            expected.Add(item.Data.StartsWith('|') ? "message" + item.Data : item.Data);
        }

        foreach (var chunk in new[] { int.MaxValue, 1, 3 })
        {
            (await ReadAsync(bytes, chunk)).Should().Equal(expected, $"read {chunk} bytes at a time");
        }
    }

    [Fact]
    public async Task A_blank_line_without_data_resets_the_event_type_as_the_specification_says()
    {
        (await ReadAsync("event: error\n\ndata: after\n\n"u8.ToArray(), int.MaxValue)).Should().Equal("message|after");
    }

    private static async Task<List<string>> ReadAsync(byte[] body, int chunk)
    {
        var transport = new ProviderHttpTransport(() => throw new InvalidOperationException(), Context);
        using var response = new HttpResponseMessage { Content = new StreamContent(new TrickleStream(body, chunk)) };
        var items = new List<string>();
        await foreach (var item in transport.ReadServerSentEventsAsync(response, static (type, data) => type + "|" + Encoding.UTF8.GetString(data), TestContext.Current.CancellationToken))
        {
            items.Add(item);
        }

        return items;
    }

    /// <summary>Hands out at most a few bytes per read, so that lines, CRLFs and the BOM straddle reads.</summary>
    private sealed class TrickleStream(byte[] body, int chunk) : MemoryStream(body)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
