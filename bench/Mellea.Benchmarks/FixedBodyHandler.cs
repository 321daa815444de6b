using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Mellea.Benchmarks;

/// <summary>
/// Answers every request with the same body, as a server would after reading the request, with no socket; a request to
/// <c>/identity/token</c> (watsonx's IAM exchange, made once per backend) gets a token valid for an hour instead.
/// </summary>
internal sealed class FixedBodyHandler(byte[] body, string contentType) : HttpMessageHandler
{
    private static readonly byte[] IamToken = Encoding.UTF8.GetBytes(
        "{\"access_token\":\"bench-token\",\"refresh_token\":\"none\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"expiration\":4102444800}");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is { } content)
        {
            _ = await content.ReadAsByteArrayAsync(cancellationToken);
        }

        var iam = request.RequestUri?.AbsolutePath == "/identity/token";
        var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new ByteArrayContent(iam ? IamToken : body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(iam ? "application/json" : contentType);
        return response;
    }
}
