using System.Net;
using System.Net.Http.Headers;
using Mellea.Testing;

namespace Mellea.Telemetry.Tests;

/// <summary>The loopback receiver's own contract: loopback only, OTLP/HTTP protobuf only, waits that end.</summary>
public sealed class OtlpReceiverTests
{
    [Fact]
    public async Task It_listens_on_loopback_with_its_own_port()
    {
        await using var first = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        await using var second = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);

        first.Endpoint.Host.Should().Be("127.0.0.1");
        first.Endpoint.Port.Should().NotBe(second.Endpoint.Port);
        first.TracesEndpoint.Should().Be(new Uri($"http://127.0.0.1:{first.Endpoint.Port}/v1/traces"));
        first.GrpcEndpoint.Host.Should().Be("127.0.0.1");
        first.GrpcEndpoint.Port.Should().NotBe(first.Endpoint.Port, "cleartext gRPC needs an HTTP/2-only port");
    }

    [Fact]
    public async Task Unknown_paths_and_other_content_types_are_refused()
    {
        await using var receiver = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);
        using var client = new HttpClient();

        var unknown = await client.PostAsync(new Uri(receiver.Endpoint, "v1/logs"), Protobuf([]), TestContext.Current.CancellationToken);
        var json = await client.PostAsync(receiver.TracesEndpoint, new StringContent("{}", new MediaTypeHeaderValue("application/json")), TestContext.Current.CancellationToken);
        var garbage = await client.PostAsync(receiver.TracesEndpoint, Protobuf([0xff, 0xff, 0xff]), TestContext.Current.CancellationToken);
        var empty = await client.PostAsync(receiver.TracesEndpoint, Protobuf([]), TestContext.Current.CancellationToken);

        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        json.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
        garbage.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        empty.StatusCode.Should().Be(HttpStatusCode.OK, "an empty export request is valid protobuf");
        receiver.TraceRequestCount.Should().Be(3);
        receiver.Spans.Should().BeEmpty();
    }

    [Fact]
    public async Task Waiting_for_spans_that_never_come_ends_with_a_timeout_that_says_what_arrived()
    {
        await using var receiver = await OtlpReceiver.StartAsync(TestContext.Current.CancellationToken);

        var wait = () => receiver.WaitForSpansAsync(1, TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken);

        (await wait.Should().ThrowAsync<TimeoutException>()).Which.Message.Should().Contain("1 span(s); 0 arrived");
    }

    private static ByteArrayContent Protobuf(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return content;
    }
}
