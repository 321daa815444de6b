namespace Mellea.Backends.Http;

/// <summary>
/// For backend authors: a newline-delimited JSON body (Ollama) read as it arrives, one parsed line per
/// <see cref="ParsedBodyStream{T}.MoveNextAsync"/>. Open one with <see cref="ProviderHttpTransport.OpenJsonLinesAsync"/>. Blank lines
/// are skipped and a last line without a newline is delivered.
/// </summary>
/// <typeparam name="T">What the line parser makes of one line.</typeparam>
public sealed class JsonLinesStream<T> : ParsedBodyStream<T>
{
    private readonly JsonLinesReader _lines = new();
    private readonly JsonLineParser<T> _parser;

    internal JsonLinesStream(Stream stream, JsonLineParser<T> parser, ProviderErrorContext errors, HttpResponseMessage response, CancellationToken cancellationToken)
        : base(stream, errors, response, cancellationToken) => _parser = parser;

    private protected override bool TryParseItem(out T item)
    {
        if (!_lines.TryReadLine(out var line))
        {
            item = default!;
            return false;
        }

        item = _parser(line);
        return true;
    }

    private protected override ValueTask<bool> FillAsync(Stream stream, CancellationToken cancellationToken) => _lines.FillAsync(stream, cancellationToken);

    private protected override void ReleaseBuffer() => _lines.Dispose();
}
