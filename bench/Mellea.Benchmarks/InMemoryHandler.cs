using System.Net;
using System.Net.Http.Headers;

namespace Mellea.Benchmarks;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers every request with the same bytes, with no socket: what remains is the
/// clients' own cost (request building, response parsing). Streaming requests get the SSE body, others the JSON body.
/// </summary>
internal sealed class InMemoryHandler(byte[] streamBody, byte[] chatBody) : HttpMessageHandler
{
    private static readonly MediaTypeHeaderValue EventStream = new("text/event-stream");
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The request body is read as a server would, so that the clients' serialization is paid for.
        var streaming = false;
        if (request.Content is { } content)
        {
            var bytes = await content.ReadAsByteArrayAsync(cancellationToken);
            streaming = bytes.AsSpan().IndexOf("\"stream\":true"u8) >= 0;
        }

        var body = streaming ? streamBody : chatBody;
        var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            RequestMessage = request,
            Content = new ByteArrayContent(body),
        };
        response.Content.Headers.ContentType = streaming ? EventStream : Json;
        return response;
    }
}
