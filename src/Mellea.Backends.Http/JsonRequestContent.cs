using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mellea.Backends.Http;

/// <summary>Builds request bodies from source-generated JSON contracts.</summary>
public static class JsonRequestContent
{
    /// <summary>
    /// Serializes <paramref name="value"/> once to UTF-8 and returns content with a known length (proxies and some providers
    /// reject chunked request bodies).
    /// </summary>
    /// <typeparam name="T">The body's type.</typeparam>
    /// <param name="value">The body.</param>
    /// <param name="typeInfo">The source-generated contract.</param>
    public static HttpContent Create<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        // The raw value: no MediaTypeHeaderValue and parameter collection per call; it is parsed only if something reads ContentType.
        content.Headers.TryAddWithoutValidation("Content-Type", "application/json; charset=utf-8");
        return content;
    }
}
