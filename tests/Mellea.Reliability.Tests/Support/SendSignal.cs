namespace Mellea.Reliability.Tests.Support;

/// <summary>
/// Sits in front of the socket handler: signals when a request has been sent and when a response has come back, can run an
/// action just before the first request goes out, and can hold a streamed body after a given number of frames (the bytes
/// after them wait in the socket until the reader is cancelled), so a test can cancel at any chunk of a stream.
/// </summary>
internal sealed class SendSignal() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _bodyDisposed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _first = 1;

    /// <summary>Completes when the first request is on its way.</summary>
    public Task Sent => _sent.Task;

    /// <summary>Completes when the first response's headers have arrived.</summary>
    public Task Answered => _answered.Task;

    /// <summary>Runs once, just before the first request is handed to the socket handler.</summary>
    public Action? BeforeFirstSend { get; set; }

    /// <summary>When set, a streamed body (SSE or NDJSON) is held after this many frames.</summary>
    public int? HoldAfterFrames { get; set; }

    /// <summary>Completes when a held body's reader is waiting for the frame after <see cref="HoldAfterFrames"/>.</summary>
    public Task Held => _held.Task;

    /// <summary>Completes when a held body was disposed (its response let go).</summary>
    public Task BodyDisposed => _bodyDisposed.Task;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _first, 0) == 1)
        {
            BeforeFirstSend?.Invoke();
        }

        var sending = base.SendAsync(request, cancellationToken);
        _sent.TrySetResult();
        var response = await sending;
        _answered.TrySetResult();
        if (HoldAfterFrames is { } frames && response.Content.Headers.ContentType?.MediaType is { } type && FrameEnd(type) is { } end)
        {
            var original = response.Content;
            var held = new StreamContent(new HoldingStream(await original.ReadAsStreamAsync(cancellationToken), end, frames, this));
            foreach (var header in original.Headers)
            {
                held.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            response.Content = held;
        }

        return response;
    }

    private static byte[]? FrameEnd(string mediaType) => mediaType switch
    {
        "text/event-stream" => "\n\n"u8.ToArray(),
        "application/x-ndjson" => "\n"u8.ToArray(),
        _ => null,
    };

    /// <summary>Passes the inner stream through up to the end of the n-th frame, then waits for the reader's cancellation.</summary>
    private sealed class HoldingStream(Stream inner, byte[] frameEnd, int frames, SendSignal owner) : Stream
    {
        private readonly byte[] _pending = new byte[64 * 1024];
        private int _pendingStart;
        private int _pendingEnd;
        private int _framesLeft = frames;
        private int _matched;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_framesLeft == 0)
            {
                owner._held.TrySetResult();
                await Task.WhenAny(Task.Delay(Timeout.Infinite, cancellationToken), owner._bodyDisposed.Task);
                cancellationToken.ThrowIfCancellationRequested();
                throw new ObjectDisposedException(nameof(HoldingStream));
            }

            if (_pendingStart == _pendingEnd)
            {
                _pendingStart = 0;
                _pendingEnd = await inner.ReadAsync(_pending, cancellationToken);
                if (_pendingEnd == 0)
                {
                    return 0;
                }
            }

            // Hand on bytes up to the end of the frame that exhausts the count, and no further.
            var count = 0;
            while (_pendingStart + count < _pendingEnd && count < buffer.Length && _framesLeft > 0)
            {
                var b = _pending[_pendingStart + count];
                count++;
                _matched = b == frameEnd[_matched] ? _matched + 1 : (b == frameEnd[0] ? 1 : 0);
                if (_matched == frameEnd.Length)
                {
                    _matched = 0;
                    _framesLeft--;
                }
            }

            _pending.AsSpan(_pendingStart, count).CopyTo(buffer.Span);
            _pendingStart += count;
            return count;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                owner._bodyDisposed.TrySetResult();
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
