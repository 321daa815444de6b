using System.Text.Json;
using Mellea.Backends.HuggingFace.Wire;

namespace Mellea.Backends.HuggingFace;

/// <summary>
/// Maps requests onto TGI: the native <c>/generate</c> body, and the few Messages API fields where TGI differs from OpenAI
/// (<c>max_tokens</c> rather than <c>max_completion_tokens</c>, TGI's grammar form of <c>response_format</c>).
/// </summary>
internal static class HuggingFaceRequestMapper
{
    private static readonly JsonElement AnyObjectSchema = ParseElement("{\"type\":\"object\"}");

    /// <summary>
    /// Returns the request the OpenAI wire code should send to a Messages API: the max-token limit as <c>max_tokens</c> (TGI reads no
    /// <c>max_completion_tokens</c>), and, for TGI, a JSON format in its grammar form. The caller's request is never changed.
    /// </summary>
    public static ChatRequest ForMessagesApi(ChatRequest request, bool tgiResponseFormat)
    {
        var options = request.Options;
        if (options is null)
        {
            return request;
        }

        var moveMaxTokens = options.MaxOutputTokens is not null;
        var moveFormat = tgiResponseFormat && options.ResponseFormat is { Kind: ResponseFormatKind.Json or ResponseFormatKind.JsonSchema };
        if (!moveMaxTokens && !moveFormat)
        {
            return request;
        }

        var adapted = options.Clone();
        var extras = adapted.AdditionalProperties ?? new Dictionary<string, object?>(StringComparer.Ordinal);
        if (moveMaxTokens)
        {
            extras["max_tokens"] = ParseElement(adapted.MaxOutputTokens!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            adapted.MaxOutputTokens = null;
        }

        if (moveFormat)
        {
            var format = new TgiResponseFormat { Value = adapted.ResponseFormat!.Schema ?? AnyObjectSchema };
            extras["response_format"] = JsonSerializer.SerializeToElement(format, HuggingFaceJsonContext.Default.TgiResponseFormat);
            adapted.ResponseFormat = null;
        }

        adapted.AdditionalProperties = extras;
        return request.WithOptions(adapted);
    }

    public static TgiGenerateRequest ToGenerate(string prompt, GenerationOptions? options)
    {
        var parameters = new TgiParameters();
        var body = new TgiGenerateRequest { Inputs = prompt, Parameters = parameters };
        if (options is null)
        {
            return body;
        }

        parameters.MaxNewTokens = options.MaxOutputTokens;
        if (options.Temperature is { } temperature)
        {
            // TGI rejects temperature 0 and samples only when asked: 0 means greedy, anything else means sampling at that temperature.
            if (temperature > 0)
            {
                parameters.Temperature = temperature;
                parameters.DoSample = true;
            }
            else
            {
                parameters.DoSample = false;
            }
        }

        parameters.TopK = options.TopK;

        // TGI accepts top_p only strictly between 0 and 1; 1 means "no nucleus sampling", which is the default.
        parameters.TopP = options.TopP is { } topP and > 0 and < 1 ? topP : null;
        parameters.Stop = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null;
        parameters.Seed = options.Seed;
        parameters.FrequencyPenalty = options.FrequencyPenalty;
        parameters.Grammar = options.ResponseFormat?.Kind switch
        {
            ResponseFormatKind.Json => new TgiGrammar { Value = AnyObjectSchema },
            ResponseFormatKind.JsonSchema => new TgiGrammar { Value = options.ResponseFormat.Schema ?? AnyObjectSchema },
            _ => null,
        };
        parameters.AdditionalProperties = MapAdditional(options.AdditionalProperties, parameters);
        return body;
    }

    private static Dictionary<string, JsonElement>? MapAdditional(IDictionary<string, object?>? additional, TgiParameters parameters)
    {
        if (additional is not { Count: > 0 })
        {
            return null;
        }

        Dictionary<string, JsonElement>? result = null;
        foreach (var (key, value) in additional)
        {
            var managed = key switch
            {
                "details" or "return_full_text" => true,
                "max_new_tokens" => parameters.MaxNewTokens is not null,
                "temperature" => parameters.Temperature is not null,
                "do_sample" => parameters.DoSample is not null,
                "top_k" => parameters.TopK is not null,
                "top_p" => parameters.TopP is not null,
                "stop" => parameters.Stop is not null,
                "seed" => parameters.Seed is not null,
                "frequency_penalty" => parameters.FrequencyPenalty is not null,
                "grammar" => parameters.Grammar is not null,
                _ => string.IsNullOrEmpty(key),
            };
            if (!managed)
            {
                (result ??= new(StringComparer.Ordinal))[key] = ToElement(value);
            }
        }

        return result;
    }

    private static JsonElement ParseElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        JsonDocument document => document.RootElement.Clone(),
        null => JsonSerializer.SerializeToElement<string?>(null, HuggingFaceJsonContext.Default.String),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), AdditionalPropertySerializer.Options),
    };

    /// <summary>Extras are arbitrary caller objects, so they are the one place serialized by reflection.</summary>
    private static class AdditionalPropertySerializer
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
