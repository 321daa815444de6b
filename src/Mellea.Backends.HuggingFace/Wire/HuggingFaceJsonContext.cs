using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.HuggingFace.Wire;

/// <summary>The source-generated contracts of TGI's native API: no reflection, and null properties are not written.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(TgiGenerateRequest))]
[JsonSerializable(typeof(TgiResponseFormat))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class HuggingFaceJsonContext : JsonSerializerContext
{
}
