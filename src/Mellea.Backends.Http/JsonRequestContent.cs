using System.Net.Http.Headers;
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
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
