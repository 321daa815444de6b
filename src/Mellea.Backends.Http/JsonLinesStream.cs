namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a newline-delimited JSON body (Ollama) read as it arrives, one parsed line per <see cref="MoveNextAsync"/>.
/// Open one with <see cref="ProviderHttpTransport.OpenJsonLinesAsync"/>. Lines already in the buffer are split and parsed with no
/// await and no state machine; only a read of the body awaits. Blank lines are skipped and a last line without a newline is
/// delivered. Read failures, and parse failures the line parser throws, become <see cref="GenerationException"/>.
/// </summary>
/// <typeparam name="T">What the line parser makes of one line.</typeparam>
public sealed class JsonLinesStream<T> : IAsyncDisposable
{
    private readonly JsonLinesReader _lines = new();
    private readonly Stream _stream;
    private readonly JsonLineParser<T> _parser;
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly CancellationToken _cancellationToken;

    internal JsonLinesStream(Stream stream, JsonLineParser<T> parser, ProviderErrorContext errors, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        _stream = stream;
        _parser = parser;
        _errors = errors;
        _response = response;
        _cancellationToken = cancellationToken;
        Current = default!;
    }

    /// <summary>The item the last successful <see cref="MoveNextAsync"/> parsed.</summary>
    public T Current { get; private set; }

    /// <summary>Parses the next line: false at the end of the body.</summary>
    /// <returns>Whether <see cref="Current"/> holds a new item.</returns>
    /// <exception cref="GenerationException">The body could not be read, or a line could not be parsed.</exception>
    public ValueTask<bool> MoveNextAsync()
    {
        // Buffered items come without a read, which is where cancellation would otherwise be noticed.
        _cancellationToken.ThrowIfCancellationRequested();
        return TryParseBuffered() ? new ValueTask<bool>(true) : FillAndMoveNextAsync();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _lines.Dispose();
        return default;
    }

    private bool TryParseBuffered()
    {
        if (!_lines.TryReadLine(out var line))
        {
            return false;
        }

        try
        {
            Current = _parser(line);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors)) is { } mapped)
        {
            throw mapped;
        }

        return true;
    }

    private async ValueTask<bool> FillAndMoveNextAsync()
    {
        while (true)
        {
            bool more;
            try
            {
                more = await _lines.FillAsync(_stream, _cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ProviderErrors.FromException(ex, _errors, _cancellationToken, ProviderErrors.ReadRequestId(_response, _errors)) is { } mapped)
            {
                throw mapped;
            }

            if (!more)
            {
                return false;
            }

            if (TryParseBuffered())
            {
                return true;
            }
        }
    }
}
