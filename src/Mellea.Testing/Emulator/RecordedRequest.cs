using System.Text;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>One request the <see cref="ProviderEmulator"/> received, as it came off the wire.</summary>
public sealed class RecordedRequest
{
    private readonly Lazy<JsonElement?> _json;

    /// <summary>Creates a record.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path, for example <c>/v1/chat/completions</c>.</param>
    /// <param name="query">The query string including its <c>?</c>, or empty.</param>
    /// <param name="headers">The request headers; names are case-insensitive.</param>
    /// <param name="body">The body bytes.</param>
    public RecordedRequest(string method, string path, string query, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        Method = method ?? throw new ArgumentNullException(nameof(method));
        Path = path ?? throw new ArgumentNullException(nameof(path));
        Query = query ?? string.Empty;
        Headers = headers ?? throw new ArgumentNullException(nameof(headers));
        Body = body ?? throw new ArgumentNullException(nameof(body));
        _json = new Lazy<JsonElement?>(ParseJson);
    }

    /// <summary>The HTTP method.</summary>
    public string Method { get; }

    /// <summary>The path.</summary>
    public string Path { get; }

    /// <summary>The query string including its <c>?</c>, or empty.</summary>
    public string Query { get; }

    /// <summary>The request headers (several values of one header are joined with a comma); names are case-insensitive.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; }

    /// <summary>The body bytes.</summary>
    public IReadOnlyList<byte> Body { get; }

    /// <summary>The body as UTF-8 text.</summary>
    public string BodyText => Encoding.UTF8.GetString((byte[])Body);

    /// <summary>The body as JSON, or <see langword="null"/> when it is not JSON.</summary>
    public JsonElement? Json => _json.Value;

    /// <summary>A header's value, or <see langword="null"/>.</summary>
    /// <param name="name">The header's name.</param>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Whether the JSON body has a top-level property <paramref name="name"/> (set to anything, null included).</summary>
    /// <param name="name">The property.</param>
    public bool HasJsonProperty(string name) => Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out _);

    /// <summary>A top-level property of the JSON body, or <see langword="null"/>.</summary>
    /// <param name="name">The property.</param>
    public JsonElement? JsonProperty(string name) =>
        Json is { ValueKind: JsonValueKind.Object } json && json.TryGetProperty(name, out var value) ? value : null;

    /// <summary>Whether the JSON body asks for a stream (<c>"stream": true</c>).</summary>
    public bool AsksForStream => JsonProperty("stream") is { ValueKind: JsonValueKind.True };

    /// <inheritdoc/>
    public override string ToString() => $"{Method} {Path}{Query} ({Body.Count} bytes)";

    private JsonElement? ParseJson()
    {
        if (Body.Count == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse((byte[])Body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
