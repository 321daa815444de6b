using System.Buffers;
using System.Text;

namespace Mellea.Backends.Http;

/// <summary>
/// Splits a Server-Sent Events body into events on one pooled buffer, as the SSE specification's parsing rules (and
/// <c>SseParser</c>) do: lines end with CR, LF or CRLF; a leading BOM is dropped; <c>:</c> starts a comment; a field's value loses
/// one leading space; <c>data</c> lines join with LF; a blank line dispatches an event that has data; <c>event</c> sets the type
/// (<c>message</c> when absent); <c>id</c>, <c>retry</c> and unknown fields are ignored, since no backend reconnects. Unlike the
/// specification, an event that the end of the body cuts off before its blank line is still dispatched: watsonx, TGI and some routers
/// end their last event at end of file. An event's data is handed out straight from the buffer when it is one line (the usual case)
/// and is valid until the next call; nothing is allocated per event except a type other than <c>message</c> or <c>error</c>.
/// </summary>
internal sealed class ServerSentEventReader : IDisposable
{
    private const string DefaultEventType = "message";
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _start;
    private int _end;
    private bool _eof;
    private bool _bomChecked;
    private bool _dispatchedAtEof;

    // The event being built: its type (null = message), and its data, either one line in _buffer or lines joined in _joined.
    private string? _eventType;
    private bool _hasData;
    private int _dataStart;
    private int _dataLength;
    private byte[]? _joined;
    private int _joinedLength;
    private bool _dataJoined;

    /// <summary>
    /// Takes the next event already in the buffer, with no await: false when the buffer holds no whole event, and then
    /// <see cref="FillAsync"/> reads more. After the end of the body a cut-off last event is delivered.
    /// </summary>
    public bool TryReadEvent(out string eventType, out ReadOnlySpan<byte> data)
    {
        if (!_bomChecked && !SkipBom())
        {
            eventType = DefaultEventType;
            data = default;
            return false;
        }

        while (true)
        {
            var remaining = _buffer.AsSpan(_start, _end - _start);
            var terminator = remaining.IndexOfAny((byte)'\n', (byte)'\r');
            int lineLength;
            int consumed;
            if (terminator >= 0)
            {
                if (remaining[terminator] == (byte)'\r' && terminator + 1 == remaining.Length && !_eof)
                {
                    // A CR at the end of the buffer may be the first half of a CRLF: wait for the next byte.
                    break;
                }

                lineLength = terminator;
                consumed = terminator + (remaining[terminator] == (byte)'\r' && terminator + 1 < remaining.Length && remaining[terminator + 1] == (byte)'\n' ? 2 : 1);
            }
            else if (_eof && remaining.Length > 0)
            {
                lineLength = remaining.Length;
                consumed = remaining.Length;
            }
            else
            {
                break;
            }

            var lineStart = _start;
            _start += consumed;
            if (lineLength == 0)
            {
                if (Dispatch(out eventType, out data))
                {
                    return true;
                }

                continue;
            }

            ProcessLine(lineStart, lineLength);
        }

        if (_eof && _start == _end && !_dispatchedAtEof)
        {
            _dispatchedAtEof = true;
            if (Dispatch(out eventType, out data))
            {
                return true;
            }
        }

        eventType = DefaultEventType;
        data = default;
        return false;
    }

    /// <summary>Reads more of the body into the buffer: false once the end of the body was reached and everything read was taken.</summary>
    public async ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken)
    {
        if (_eof)
        {
            return !_dispatchedAtEof;
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

        if (_joined is { } joined)
        {
            _joined = null;
            ArrayPool<byte>.Shared.Return(joined);
        }
    }

    private bool SkipBom()
    {
        var available = _end - _start;
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (available < bom.Length && !_eof && bom.StartsWith(_buffer.AsSpan(_start, available)))
        {
            // Too few bytes yet to tell a BOM from text.
            return false;
        }

        if (_buffer.AsSpan(_start, available).StartsWith(bom))
        {
            _start += bom.Length;
        }

        _bomChecked = true;
        return true;
    }

    private void ProcessLine(int lineStart, int lineLength)
    {
        var line = _buffer.AsSpan(lineStart, lineLength);
        if (line[0] == (byte)':')
        {
            return;
        }

        var colon = line.IndexOf((byte)':');
        var field = colon >= 0 ? line[..colon] : line;
        var valueStart = colon >= 0 ? colon + 1 : lineLength;
        if (valueStart < lineLength && line[valueStart] == (byte)' ')
        {
            valueStart++;
        }

        if (field.SequenceEqual("data"u8))
        {
            AppendData(lineStart + valueStart, lineLength - valueStart);
        }
        else if (field.SequenceEqual("event"u8))
        {
            var value = line[valueStart..];
            _eventType = value.IsEmpty || value.SequenceEqual("message"u8) ? null
                : value.SequenceEqual("error"u8) ? "error"
                : Encoding.UTF8.GetString(value);
        }
    }

    private void AppendData(int valueStart, int valueLength)
    {
        if (!_hasData)
        {
            _hasData = true;
            _dataStart = valueStart;
            _dataLength = valueLength;
            return;
        }

        if (!_dataJoined)
        {
            _dataJoined = true;
            _joinedLength = 0;
            AppendJoined(_buffer.AsSpan(_dataStart, _dataLength));
        }

        AppendJoined("\n"u8);
        AppendJoined(_buffer.AsSpan(valueStart, valueLength));
    }

    private void AppendJoined(ReadOnlySpan<byte> bytes)
    {
        var joined = _joined ??= ArrayPool<byte>.Shared.Rent(Math.Max(1024, bytes.Length));
        if (_joinedLength + bytes.Length > joined.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(joined.Length * 2, _joinedLength + bytes.Length));
            joined.AsSpan(0, _joinedLength).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(joined);
            _joined = joined = larger;
        }

        bytes.CopyTo(joined.AsSpan(_joinedLength));
        _joinedLength += bytes.Length;
    }

    private bool Dispatch(out string eventType, out ReadOnlySpan<byte> data)
    {
        eventType = _eventType ?? DefaultEventType;
        data = !_hasData ? default : _dataJoined ? _joined.AsSpan(0, _joinedLength) : _buffer.AsSpan(_dataStart, _dataLength);
        var dispatched = _hasData;
        _eventType = null;
        _hasData = false;
        _dataJoined = false;
        return dispatched;
    }

    private void Compact()
    {
        // A one-line event's data stays where it is until the event is dispatched.
        var keepFrom = _hasData && !_dataJoined ? Math.Min(_dataStart, _start) : _start;
        if (keepFrom > 0)
        {
            Buffer.BlockCopy(_buffer, keepFrom, _buffer, 0, _end - keepFrom);
            _end -= keepFrom;
            _start -= keepFrom;
            _dataStart -= keepFrom;
        }

        if (_end == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
    }
}
