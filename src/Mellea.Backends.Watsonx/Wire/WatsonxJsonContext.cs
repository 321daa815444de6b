using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mellea.Backends.Watsonx.Wire;

/// <summary>The source-generated contracts of the watsonx.ai and IAM wire formats: no reflection, and null properties are not written.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WatsonxChatRequest))]
[JsonSerializable(typeof(WatsonxGenerationRequest))]
[JsonSerializable(typeof(WatsonxChatResponse))]
[JsonSerializable(typeof(IamTokenResponse))]
[JsonSerializable(typeof(JsonElement))]
[JsonSerializable(typeof(string))]
internal sealed partial class WatsonxJsonContext : JsonSerializerContext
{
}
