using System.Text.Json;
using Mellea.Backends.OpenAI.Wire;

namespace Mellea.Backends.OpenAI;

/// <summary>Maps raw batch requests onto the OpenAI <c>completions</c> body; an unset option is left out of the JSON. Chat bodies are written by <see cref="ChatCompletionRequestWriter"/>.</summary>
internal static class OpenAIRequestMapper
{
    public static CompletionRequest ToCompletion(RawCompletionRequest request, string model, bool sendsTopK)
    {
        var options = request.Options;
        var body = new CompletionRequest { Model = model, Prompt = [.. request.Prompts] };
        if (options is not null)
        {
            body.MaxTokens = options.MaxOutputTokens;
            body.Temperature = options.Temperature;
            body.TopP = options.TopP;
            body.TopK = sendsTopK ? options.TopK : null;
            body.Stop = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null;
            body.Seed = options.Seed;
            body.FrequencyPenalty = options.FrequencyPenalty;
            body.PresencePenalty = options.PresencePenalty;
            body.N = options.ChoiceCount;
        }

        body.AdditionalProperties = MapAdditional(options?.AdditionalProperties, key => key is "model" or "prompt"
            || (key == "max_tokens" && body.MaxTokens is not null) || (key == "temperature" && body.Temperature is not null)
            || (key == "top_p" && body.TopP is not null) || (key == "stop" && body.Stop is not null) || (key == "seed" && body.Seed is not null)
            || (key == "n" && body.N is not null));
        return body;
    }

    private static Dictionary<string, JsonElement>? MapAdditional(IDictionary<string, object?>? additional, Func<string, bool> isManaged)
    {
        if (additional is not { Count: > 0 })
        {
            return null;
        }

        var result = new Dictionary<string, JsonElement>(additional.Count, StringComparer.Ordinal);
        foreach (var (key, value) in additional)
        {
            // A typed option that is set wins over an extra of the same name; writing both would duplicate the JSON key.
            if (string.IsNullOrEmpty(key) || isManaged(key))
            {
                continue;
            }

            result[key] = ToElement(value);
        }

        return result.Count == 0 ? null : result;
    }

    /// <summary>A caller's extra property value as JSON (reflection: extras are arbitrary objects).</summary>
    internal static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        JsonDocument document => document.RootElement.Clone(),
        null => JsonSerializer.SerializeToElement<string?>(null, OpenAIJsonContext.Default.String),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), AdditionalPropertySerializer.Options),
    };

    /// <summary>Extras are arbitrary caller objects, so they are the one place serialized by reflection.</summary>
    private static class AdditionalPropertySerializer
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
