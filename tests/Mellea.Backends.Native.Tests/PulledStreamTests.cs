using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Mellea.Backends.Ollama;
using static Mellea.Backends.Native.Tests.TestSupport;

namespace Mellea.Backends.Native.Tests;

/// <summary>
/// The Ollama stream is a <c>PulledUpdateStream</c> (no async iterator): these pin what the compiler-generated iterator it
/// replaced did for free, namely releasing the response on every path, observing both tokens, and enumerating twice.
/// </summary>
public sealed class PulledStreamTests
{
    private const string Answer =
        "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"done\":false}\n"
        + "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"lo\"},\"done\":false}\n"
        + "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
        + "\"done_reason\":\"stop\",\"prompt_eval_count\":5,\"eval_count\":2}\n";

    private static OllamaBackend Backend(HttpClient client) =>
        new(client, new OllamaBackendOptions { BaseUrl = "http://127.0.0.1:11434", Model = "llama3.2" }, _ => null);

    [Fact]
    public async Task The_answer_streams_whole_with_its_metadata_when_the_body_arrives_a_few_bytes_at_a_time()
    {
        using var handler = new NdjsonHandler(Answer, bytesPerRead: 7);
        using var client = new HttpClient(handler);

        var updates = await CollectAsync(Backend(client).StreamChatAsync(new ChatRequest("hi"), Token));

        Text(updates).Should().Be("Hello");
        updates.Select(u => u.FinishReason?.Raw).Where(r => r is not null).Should().Equal("stop");
        var metadata = Final(updates);
        metadata.Usage!.InputTokens.Should().Be(5);
        metadata.Usage.OutputTokens.Should().Be(2);
        metadata.ResponseModel.Should().Be("llama3.2");
        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task A_long_run_of_lines_that_carry_nothing_each_in_a_read_of_its_own_still_ends_with_the_answer()
    {
        // 50,000 lines that carry no update, each in a read of its own that completes at once.
        var body = string.Concat(Enumerable.Repeat("{\"done\":false}\n", 50_000)) + Answer;
        using var handler = new NdjsonHandler(body, bytesPerRead: "{\"done\":false}\n".Length, yieldOnSplitReads: false);
        using var client = new HttpClient(handler);

        var updates = await CollectAsync(Backend(client).StreamChatAsync(new ChatRequest("hi"), Token));

        Text(updates).Should().Be("Hello");
        Final(updates).Usage!.OutputTokens.Should().Be(2);
    }

    [Fact]
    public async Task Escaped_property_names_are_read_like_plain_ones()
    {
        const string escaped =
            "{\"message\":{\"\\u0063ontent\":\"Hi\"},\"done\":false}\n"
            + "{\"d\\u006fne\":true,\"done_reason\":\"length\",\"\\u0065val_count\":9}\n";
        using var handler = new NdjsonHandler(escaped);
        using var client = new HttpClient(handler);

        var updates = await CollectAsync(Backend(client).StreamChatAsync(new ChatRequest("hi"), Token));

        Text(updates).Should().Be("Hi");
        updates.Select(u => u.FinishReason?.Raw).Where(r => r is not null).Should().Equal("length");
        Final(updates).Usage!.OutputTokens.Should().Be(9);
    }

    [Fact]
    public async Task Enumerating_the_same_stream_twice_sends_a_second_request_and_gets_the_whole_answer_again()
    {
        using var handler = new NdjsonHandler(Answer);
        using var client = new HttpClient(handler);
        var stream = Backend(client).StreamChatAsync(new ChatRequest("hi"), Token);

        var first = await CollectAsync(stream);
        var second = await CollectAsync(stream);

        Text(first).Should().Be("Hello");
        Text(second).Should().Be("Hello");
        handler.Requests.Should().Be(2);
        handler.Bodies.Should().HaveCount(2).And.OnlyContain(b => b.Disposed);
    }

    [Fact]
    public void Nothing_is_sent_until_the_stream_is_enumerated()
    {
        using var handler = new NdjsonHandler(Answer);
        using var client = new HttpClient(handler);

        _ = Backend(client).StreamChatAsync(new ChatRequest("hi"), Token);

        handler.Requests.Should().Be(0);
    }

    [Fact]
    public async Task Stopping_early_releases_the_response()
    {
        using var handler = new NdjsonHandler(Answer);
        using var client = new HttpClient(handler);

        await foreach (var update in Backend(client).StreamChatAsync(new ChatRequest("hi"), Token))
        {
            update.TextDelta.Should().Be("Hel");
            break;
        }

        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task A_token_given_to_the_enumerator_cancels_between_buffered_lines_and_the_response_is_released()
    {
        using var handler = new NdjsonHandler(Answer);
        using var client = new HttpClient(handler);
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var received = new List<string?>();

        var read = async () =>
        {
            // The call's own token (Token) can be cancelled too: the two are linked, not one replacing the other.
            await foreach (var update in Backend(client).StreamChatAsync(new ChatRequest("hi"), Token).WithCancellation(cancellation.Token))
            {
                received.Add(update.TextDelta);
                await cancellation.CancelAsync();
            }
        };

        await read.Should().ThrowAsync<OperationCanceledException>();
        received.Should().Equal("Hel");
        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
    }

    [Fact]
    public async Task A_failure_mid_stream_releases_the_response_even_before_the_enumerator_is_disposed()
    {
        const string failing =
            "{\"message\":{\"content\":\"a\"},\"done\":false}\n"
            + "{\"error\":\"model ran out of memory\"}\n";
        using var handler = new NdjsonHandler(failing);
        using var client = new HttpClient(handler);
        var enumerator = Backend(client).StreamChatAsync(new ChatRequest("hi"), Token).GetAsyncEnumerator(Token);

        (await enumerator.MoveNextAsync()).Should().BeTrue();
        enumerator.Current.TextDelta.Should().Be("a");
        var next = async () => await enumerator.MoveNextAsync();

        (await next.Should().ThrowAsync<GenerationException>()).Which.Message.Should().Contain("out of memory");
        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
        (await enumerator.MoveNextAsync()).Should().BeFalse();
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task A_malformed_line_already_buffered_is_a_malformed_response_and_the_response_is_released()
    {
        // Both lines arrive in one read, so the broken one is parsed from the buffer, on the path with no await.
        const string broken =
            "{\"message\":{\"content\":\"a\"},\"done\":false}\n"
            + "{\"message\":{\"content\":\"b\"\n";
        using var handler = new NdjsonHandler(broken);
        using var client = new HttpClient(handler);
        var enumerator = Backend(client).StreamChatAsync(new ChatRequest("hi"), Token).GetAsyncEnumerator(Token);

        (await enumerator.MoveNextAsync()).Should().BeTrue();
        var next = async () => await enumerator.MoveNextAsync();

        var error = (await next.Should().ThrowAsync<GenerationException>()).Which;
        error.ErrorType.Should().Be("malformed_response");
        error.IsRetryable.Should().BeFalse();
        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task A_body_that_ends_before_done_is_a_transport_error_and_the_response_is_released()
    {
        const string cut = "{\"message\":{\"content\":\"a\"},\"done\":false}\n";
        using var handler = new NdjsonHandler(cut);
        using var client = new HttpClient(handler);

        var read = async () => await CollectAsync(Backend(client).StreamChatAsync(new ChatRequest("hi"), Token));

        (await read.Should().ThrowAsync<GenerationException>()).Which.Category.Should().Be(ErrorCategory.TransportError);
        handler.Bodies.Should().ContainSingle().Which.Disposed.Should().BeTrue();
    }

    /// <summary>Answers every request with the same NDJSON body, from a stream that records its disposal.</summary>
    private sealed class NdjsonHandler(string body, int bytesPerRead = int.MaxValue, bool yieldOnSplitReads = true) : HttpMessageHandler
    {
        private readonly List<TrackedBody> _bodies = [];
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public IReadOnlyList<TrackedBody> Bodies
        {
            get
            {
                lock (_bodies)
                {
                    return [.. _bodies];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            var tracked = new TrackedBody(Encoding.UTF8.GetBytes(body), bytesPerRead, yieldOnSplitReads);
            lock (_bodies)
            {
                _bodies.Add(tracked);
            }

            var response = new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StreamContent(tracked) };
            response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
            return Task.FromResult(response);
        }
    }

    /// <summary>A read-only body that hands out at most <c>bytesPerRead</c> bytes per read (each after a yield, unless told not to) and records disposal.</summary>
    private sealed class TrackedBody(byte[] data, int bytesPerRead, bool yieldOnSplitReads) : Stream
    {
        private int _position;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            // A real wait for every read that is split up, so the stream's awaiting path runs, not only its buffered one.
            if (bytesPerRead != int.MaxValue && yieldOnSplitReads)
            {
                await Task.Yield();
            }

            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(buffer.Length, bytesPerRead), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}
