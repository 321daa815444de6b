using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.Ollama.Wire;

/// <summary>The source-generated contracts of Ollama's native API: no reflection, and null properties are not written.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(OllamaChatRequest))]
[JsonSerializable(typeof(OllamaGenerateRequest))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(bool))]
internal sealed partial class OllamaJsonContext : JsonSerializerContext
{
}
