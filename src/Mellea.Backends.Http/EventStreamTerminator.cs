namespace Mellea.Backends.Http;

/// <summary>
/// A read-only stream that adds one blank line after the end of the inner stream. The SSE specification discards an event that is
/// not followed by a blank line, and <c>SseParser</c> follows it; but watsonx, TGI and some routers end their last event at end
/// of file. The extra blank line dispatches that event; after a complete event it dispatches nothing.
/// </summary>
internal sealed class EventStreamTerminator : Stream
{
    private static readonly byte[] Terminator = "\n\n"u8.ToArray();
    private readonly Stream _inner;
    private int _terminatorPosition = -1;

    public EventStreamTerminator(Stream inner) => _inner = inner;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_terminatorPosition < 0)
        {
            var read = _inner.Read(buffer);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            _terminatorPosition = 0;
        }

        return WriteTerminator(buffer);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_terminatorPosition < 0)
        {
            var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0 || buffer.IsEmpty)
            {
                return read;
            }

            _terminatorPosition = 0;
        }

        return WriteTerminator(buffer.Span);
    }

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
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int WriteTerminator(Span<byte> buffer)
    {
        var remaining = Terminator.AsSpan(_terminatorPosition);
        var count = Math.Min(remaining.Length, buffer.Length);
        remaining[..count].CopyTo(buffer);
        _terminatorPosition += count;
        return count;
    }
}
