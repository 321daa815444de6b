using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.OpenAI.Wire;

/// <summary>The source-generated contracts of the OpenAI wire format: no reflection, and null properties are not written.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatCompletionRequestBody))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext
{
}
