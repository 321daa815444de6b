using System.Text.Json;
using Mellea.Backends.Ollama.Wire;

namespace Mellea.Backends.Ollama;

/// <summary>Maps Mellea requests onto Ollama's native bodies; an unset option is left out of the JSON.</summary>
internal static class OllamaRequestMapper
{
    private static readonly JsonElement JsonFormat = JsonSerializer.SerializeToElement("json", OllamaJsonContext.Default.String);
    private static readonly JsonElement ThinkOn = JsonSerializer.SerializeToElement(true, OllamaJsonContext.Default.Boolean);
    private static readonly JsonElement ThinkOff = JsonSerializer.SerializeToElement(false, OllamaJsonContext.Default.Boolean);

    public static OllamaChatRequest ToChat(ChatRequest request, string model, bool stream)
    {
        var options = request.Options;
        var body = new OllamaChatRequest
        {
            Model = model,
            Messages = MapMessages(request.Messages),
            Stream = stream,
            Tools = MapTools(options?.Tools),
            Format = MapFormat(options?.ResponseFormat),
            Think = MapThink(options?.ReasoningLevel),
            Options = MapOptions(options),
        };
        var ollamaOptions = body.Options;
        body.AdditionalProperties = SplitAdditional(options?.AdditionalProperties, ref ollamaOptions, body.Format is not null, body.Think is not null);
        body.Options = ollamaOptions;
        return body;
    }

    public static OllamaGenerateRequest ToGenerate(string prompt, GenerationOptions? options, string model)
    {
        var body = new OllamaGenerateRequest
        {
            Model = model,
            Prompt = prompt,
            Raw = true,
            Stream = false,
            Format = MapFormat(options?.ResponseFormat),
            Think = MapThink(options?.ReasoningLevel),
            Options = MapOptions(options),
        };
        var ollamaOptions = body.Options;
        body.AdditionalProperties = SplitAdditional(options?.AdditionalProperties, ref ollamaOptions, body.Format is not null, body.Think is not null);
        body.Options = ollamaOptions;
        return body;
    }

    private static OllamaOptions? MapOptions(GenerationOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var mapped = new OllamaOptions
        {
            NumPredict = options.MaxOutputTokens,
            Temperature = options.Temperature,
            TopK = options.TopK,
            TopP = options.TopP,
            Seed = options.Seed,
            Stop = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            NumCtx = options.ContextWindowTokens,
            FrequencyPenalty = options.FrequencyPenalty,
            PresencePenalty = options.PresencePenalty,
        };
        return mapped.NumPredict is null && mapped.Temperature is null && mapped.TopK is null && mapped.TopP is null && mapped.Seed is null
            && mapped.Stop is null && mapped.NumCtx is null && mapped.FrequencyPenalty is null && mapped.PresencePenalty is null
            ? null
            : mapped;
    }

    private static JsonElement? MapFormat(ResponseFormat? format) => format?.Kind switch
    {
        ResponseFormatKind.Json => JsonFormat,
        ResponseFormatKind.JsonSchema => format.Schema,
        _ => null,
    };

    /// <summary><c>think</c> takes a bool or a level; the reasoning level "true"/"false"/"none" maps to the bool.</summary>
    private static JsonElement? MapThink(string? level) => level switch
    {
        null => null,
        _ when level.Equals("true", StringComparison.OrdinalIgnoreCase) => ThinkOn,
        _ when level.Equals("false", StringComparison.OrdinalIgnoreCase) || level.Equals("none", StringComparison.OrdinalIgnoreCase) => ThinkOff,
        _ => JsonSerializer.SerializeToElement(level, OllamaJsonContext.Default.String),
    };

    /// <summary>
    /// Extras that are top-level fields of Ollama's request (<c>keep_alive</c>, <c>truncate</c>, …) stay top-level; every other extra is an
    /// Ollama option (<c>min_p</c>, <c>repeat_penalty</c>, <c>num_gpu</c>), as Python Mellea sends them. A typed option that is set wins.
    /// </summary>
    private static Dictionary<string, JsonElement>? SplitAdditional(IDictionary<string, object?>? additional, ref OllamaOptions? options, bool formatSet, bool thinkSet)
    {
        if (additional is not { Count: > 0 })
        {
            return null;
        }

        Dictionary<string, JsonElement>? topLevel = null;
        foreach (var (key, value) in additional)
        {
            if (string.IsNullOrEmpty(key) || key is "model" or "messages" or "prompt" or "stream" or "raw" or "tools" or "options")
            {
                continue;
            }

            if (key is "keep_alive" or "truncate" or "shift" or "logprobs" or "top_logprobs" or "suffix" or "system" or "images"
                || (key == "format" && !formatSet) || (key == "think" && !thinkSet))
            {
                (topLevel ??= new(StringComparer.Ordinal))[key] = ToElement(value);
                continue;
            }

            if (key is "format" or "think")
            {
                continue;
            }

            options ??= new OllamaOptions();
            if (IsTypedOptionSet(options, key))
            {
                continue;
            }

            (options.AdditionalProperties ??= new(StringComparer.Ordinal))[key] = ToElement(value);
        }

        return topLevel;
    }

    private static bool IsTypedOptionSet(OllamaOptions options, string key) => key switch
    {
        "num_predict" => options.NumPredict is not null,
        "temperature" => options.Temperature is not null,
        "top_k" => options.TopK is not null,
        "top_p" => options.TopP is not null,
        "seed" => options.Seed is not null,
        "stop" => options.Stop is not null,
        "num_ctx" => options.NumCtx is not null,
        "frequency_penalty" => options.FrequencyPenalty is not null,
        "presence_penalty" => options.PresencePenalty is not null,
        _ => false,
    };

    private static List<OllamaMessage> MapMessages(IReadOnlyList<ChatMessage> messages)
    {
        var result = new List<OllamaMessage>(messages.Count);
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message.Role == ChatRole.Tool)
            {
                foreach (var part in message.Parts)
                {
                    if (part is ToolResultPart toolResult)
                    {
                        // Ollama matches a result to its call by tool name (calls have no ids in older servers).
                        result.Add(new OllamaMessage { Role = "tool", Content = toolResult.Result, ToolName = FindToolName(messages, i, toolResult.CallId) });
                    }
                }

                continue;
            }

            List<OllamaToolCall>? calls = null;
            foreach (var part in message.Parts)
            {
                if (part is ToolCallPart call)
                {
                    (calls ??= []).Add(new OllamaToolCall { Function = new OllamaFunctionCall { Name = call.Name, Arguments = ParseArguments(call.ArgumentsJson) } });
                }
            }

            result.Add(new OllamaMessage { Role = message.Role.ToWireName(), Content = message.Text, ToolCalls = calls });
        }

        return result;
    }

    private static string? FindToolName(IReadOnlyList<ChatMessage> messages, int before, string callId)
    {
        for (var i = before - 1; i >= 0; i--)
        {
            foreach (var part in messages[i].Parts)
            {
                if (part is ToolCallPart call && call.CallId == callId)
                {
                    return call.Name;
                }
            }
        }

        return null;
    }

    private static JsonElement ParseArguments(string argumentsJson)
    {
        // Ollama wants an object; a model's malformed JSON is sent back as an empty object rather than failing the turn.
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(argumentsJson) ? "{}" : argumentsJson);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : EmptyObject();
        }
        catch (JsonException)
        {
            return EmptyObject();
        }
    }

    private static JsonElement EmptyObject()
    {
        using var document = JsonDocument.Parse("{}");
        return document.RootElement.Clone();
    }

    private static List<OllamaTool>? MapTools(IList<ToolDefinition>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return null;
        }

        var result = new List<OllamaTool>(tools.Count);
        foreach (var tool in tools)
        {
            result.Add(new OllamaTool { Function = new OllamaFunctionDefinition { Name = tool.Name, Description = tool.Description, Parameters = tool.ParametersSchema } });
        }

        return result;
    }

    private static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        JsonDocument document => document.RootElement.Clone(),
        null => JsonSerializer.SerializeToElement<string?>(null, OllamaJsonContext.Default.String),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), AdditionalPropertySerializer.Options),
    };

    /// <summary>Extras are arbitrary caller objects, so they are the one place serialized by reflection.</summary>
    private static class AdditionalPropertySerializer
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
