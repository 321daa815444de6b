using System.Buffers;

namespace Mellea.Backends.Http;

/// <summary>Splits a stream into lines on a pooled buffer, without a string or array per line.</summary>
internal sealed class JsonLinesReader : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>Returns the next non-blank line (valid until the next call), or null at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, newline);
                _start += newline + 1;
                if (IsBlank(line.Span))
                {
                    continue;
                }

                return TrimCarriageReturn(line);
            }

            if (_eof)
            {
                if (_start == _end)
                {
                    return null;
                }

                var last = new ReadOnlyMemory<byte>(_buffer, _start, _end - _start);
                _start = _end;
                if (IsBlank(last.Span))
                {
                    return null;
                }

                return TrimCarriageReturn(last);
            }

            Compact();
            var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                _eof = true;
            }

            _end += read;
        }
    }

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Compact()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.Trim((byte)' ').Trim((byte)'\r').IsEmpty;

    private static ReadOnlyMemory<byte> TrimCarriageReturn(ReadOnlyMemory<byte> line) =>
        line.Length > 0 && line.Span[^1] == (byte)'\r' ? line[..^1] : line;
}
