using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mellea.Backends.Http;

/// <summary>
/// Sends a backend's requests and reads its responses, mapping every failure onto <see cref="GenerationException"/>.
/// Every backend uses one; nothing here is specific to a provider.
/// </summary>
/// <remarks>
/// <para>The transport takes its <see cref="HttpClient"/> from a delegate: a backend built for dependency injection passes
/// <c>() =&gt; factory.CreateClient(name)</c> so that <c>IHttpClientFactory</c> rotates handlers; a backend built by hand passes
/// its one client.</para>
/// <para>Responses are read with <see cref="HttpCompletionOption.ResponseHeadersRead"/>: a stream is parsed as it arrives and
/// never buffered whole.</para>
/// </remarks>
public sealed class ProviderHttpTransport
{
    private readonly Func<HttpClient> _clientSource;

    /// <summary>Creates a transport.</summary>
    /// <param name="clientSource">Returns the client for one call.</param>
    /// <param name="errorContext">The provider's error context.</param>
    public ProviderHttpTransport(Func<HttpClient> clientSource, ProviderErrorContext errorContext)
    {
        _clientSource = clientSource ?? throw new ArgumentNullException(nameof(clientSource));
        ErrorContext = errorContext ?? throw new ArgumentNullException(nameof(errorContext));
    }

    /// <summary>The provider's error context.</summary>
    public ProviderErrorContext ErrorContext { get; }

    /// <summary>
    /// Sends <paramref name="request"/> and returns the response once its headers have arrived. A non-success status is read
    /// and thrown as a <see cref="GenerationException"/>; so is a transport failure or a timeout. The caller's cancellation
    /// surfaces as an <see cref="OperationCanceledException"/>. The caller disposes the response.
    /// </summary>
    /// <param name="request">The request; disposed by the caller.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="GenerationException">The provider answered with an error or could not be reached.</exception>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response;
        try
        {
            response = await _clientSource().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, ErrorContext, cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ProviderErrors.FromResponseAsync(response, ErrorContext, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deserializes a whole JSON response body with a source-generated contract, mapping read and parse failures.</summary>
    /// <typeparam name="T">The body's type.</typeparam>
    /// <param name="response">The response.</param>
    /// <param name="typeInfo">The source-generated contract.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="GenerationException">The body was cut, empty, or not valid JSON.</exception>
    public async Task<T> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(typeInfo);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                    ?? throw new JsonException("The response body is the JSON literal null.");
            }
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, ErrorContext)) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Reads a whole body into one pooled buffer and parses it there with <paramref name="parser"/> (a hand-written
    /// <see cref="Utf8JsonReader"/> reader): no serializer state, no DTO graph, and nothing allocated for the bytes. Read and parse
    /// failures are mapped as <see cref="ReadJsonAsync{T}"/> maps them; a <see cref="GenerationException"/> from the parser passes through.
    /// </summary>
    /// <typeparam name="T">What the parser makes of the body.</typeparam>
    /// <param name="response">The response; the caller disposes it.</param>
    /// <param name="parser">Parses the whole body. It runs on the pooled buffer: copy nothing it does not keep.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <exception cref="GenerationException">The body was cut, or the parser found it malformed.</exception>
    public async ValueTask<T> ReadBodyAsync<T>(HttpResponseMessage response, JsonBodyParser<T> parser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(parser);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                }
            }

            return parser(buffer.AsSpan(0, length));
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, ErrorContext)) is { } mapped)
        {
            throw mapped;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads a Server-Sent Events body as it arrives, split on one pooled buffer by the rules <see cref="SseParser"/> follows: <c>data:</c> with
    /// or without a space, comments and <c>id:</c>/<c>event:</c> lines handled, a final event without a trailing blank line still delivered, and a clean end at
    /// end of file whether or not a <c>[DONE]</c> came. The caller stops at its own end marker. Read failures (a dropped connection)
    /// become <see cref="GenerationException"/>; the item parser may throw a <see cref="GenerationException"/> itself (an error event).
    /// </summary>
    /// <typeparam name="T">What the item parser makes of one event.</typeparam>
    /// <param name="response">The streaming response; the caller disposes it.</param>
    /// <param name="itemParser">Parses one event's data. It runs on the parser's buffer: copy nothing it does not keep.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async IAsyncEnumerable<T> ReadServerSentEventsAsync<T>(HttpResponseMessage response, SseItemParser<T> itemParser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One splitter for every SSE path: this is OpenServerSentEventsAsync enumerated.
        var events = await OpenServerSentEventsAsync(response, itemParser, cancellationToken).ConfigureAwait(false);
        await using (events.ConfigureAwait(false))
        {
            while (await events.MoveNextAsync().ConfigureAwait(false))
            {
                yield return events.Current;
            }
        }
    }

    /// <summary>
    /// Opens a Server-Sent Events body as a <see cref="ServerSentEventStream{T}"/>: the rules of <see cref="ReadServerSentEventsAsync"/>,
    /// pulled with <see cref="ParsedBodyStream{T}.MoveNextAsync"/> so that a backend's own stream loop is the only async layer per event.
    /// </summary>
    /// <typeparam name="T">What the item parser makes of one event.</typeparam>
    /// <param name="response">The streaming response; the caller disposes it.</param>
    /// <param name="itemParser">Parses one event's data. It runs on the parser's buffer: copy nothing it does not keep.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The events; the caller disposes them.</returns>
    /// <exception cref="GenerationException">The body could not be opened.</exception>
    public async Task<ServerSentEventStream<T>> OpenServerSentEventsAsync<T>(HttpResponseMessage response, SseItemParser<T> itemParser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(itemParser);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new ServerSentEventStream<T>(stream, itemParser, ErrorContext, response, cancellationToken);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, ErrorContext)) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Opens a newline-delimited JSON body (Ollama) as a <see cref="JsonLinesStream{T}"/>: the rules of <see cref="ReadJsonLinesAsync"/>,
    /// pulled with <see cref="ParsedBodyStream{T}.MoveNextAsync"/>, which splits and parses buffered lines without awaiting.
    /// </summary>
    /// <typeparam name="T">What the line parser makes of one line.</typeparam>
    /// <param name="response">The streaming response; the caller disposes it.</param>
    /// <param name="lineParser">Parses one line's UTF-8 bytes.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    /// <returns>The lines; the caller disposes them.</returns>
    /// <exception cref="GenerationException">The body could not be opened.</exception>
    public async Task<JsonLinesStream<T>> OpenJsonLinesAsync<T>(HttpResponseMessage response, JsonLineParser<T> lineParser, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(lineParser);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            return new JsonLinesStream<T>(stream, lineParser, ErrorContext, response, cancellationToken);
        }
        catch (Exception ex) when (ProviderErrors.FromException(ex, ErrorContext, cancellationToken, ProviderErrors.ReadRequestId(response, ErrorContext)) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>
    /// Reads a newline-delimited JSON body (Ollama) as it arrives, one line at a time; blank lines are skipped and a last line
    /// without a newline is delivered. Read failures become <see cref="GenerationException"/>.
    /// </summary>
    /// <typeparam name="T">What the line parser makes of one line.</typeparam>
    /// <param name="response">The streaming response; the caller disposes it.</param>
    /// <param name="lineParser">Parses one line's UTF-8 bytes.</param>
    /// <param name="cancellationToken">The caller's token.</param>
    public async IAsyncEnumerable<T> ReadJsonLinesAsync<T>(HttpResponseMessage response, JsonLineParser<T> lineParser, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // One splitter for every NDJSON path: this is OpenJsonLinesAsync enumerated.
        var lines = await OpenJsonLinesAsync(response, lineParser, cancellationToken).ConfigureAwait(false);
        await using (lines.ConfigureAwait(false))
        {
            while (await lines.MoveNextAsync().ConfigureAwait(false))
            {
                yield return lines.Current;
            }
        }
    }
}

/// <summary>Parses one line of a newline-delimited JSON stream.</summary>
/// <typeparam name="T">The parsed item.</typeparam>
/// <param name="line">The line's UTF-8 bytes, without the newline.</param>
public delegate T JsonLineParser<T>(ReadOnlySpan<byte> line);

/// <summary>Parses a whole response body.</summary>
/// <typeparam name="T">The parsed body.</typeparam>
/// <param name="body">The body's UTF-8 bytes, in a pooled buffer that is returned once the parser is done.</param>
public delegate T JsonBodyParser<T>(ReadOnlySpan<byte> body);
