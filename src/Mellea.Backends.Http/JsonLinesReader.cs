using System.Buffers;

namespace Mellea.Backends.Http;

/// <summary>Splits a stream into lines on a pooled buffer, without a string or array per line.</summary>
internal sealed class JsonLinesReader : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private bool _eof;

    /// <summary>
    /// Takes the next non-blank line already in the buffer (valid until the next call), with no await: false when the buffer holds no
    /// whole line, and then <see cref="FillAsync"/> reads more. After the end of the stream the last line is delivered without its newline.
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var remaining = _buffer.AsSpan(_start, _end - _start);
            var newline = remaining.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = remaining[..newline];
                _start += newline + 1;
            }
            else if (_eof && !remaining.IsEmpty)
            {
                line = remaining;
                _start = _end;
            }
            else
            {
                line = default;
                return false;
            }

            // A JSON line starts with '{': only anything else can be blank (spaces and CRs).
            if (!line.IsEmpty && line[0] != (byte)'{' && IsBlank(line))
            {
                continue;
            }

            if (line.IsEmpty)
            {
                continue;
            }

            if (line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            return true;
        }
    }

    /// <summary>Reads more of the stream into the buffer: false once the end of the stream was reached and everything read was taken.</summary>
    public async ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return false;
        }

        Compact();
        var read = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
        return true;
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
}
