using System.Text.Json;
using Mellea.Backends.Watsonx.Wire;

namespace Mellea.Backends.Watsonx;

/// <summary>Maps requests onto the watsonx.ai chat and generation bodies; an unset option is left out of the JSON.</summary>
internal static class WatsonxRequestMapper
{
    public static WatsonxChatRequest ToChat(ChatRequest request, string model, WatsonxScope scope)
    {
        var options = request.Options;
        var body = new WatsonxChatRequest
        {
            ModelId = model,
            Messages = MapMessages(request.Messages),
            ProjectId = scope.ProjectId,
            SpaceId = scope.SpaceId,
        };
        if (options is not null)
        {
            body.Tools = MapTools(options.Tools);
            (body.ToolChoiceOption, body.ToolChoice) = MapToolChoice(options.ToolChoice);
            body.FrequencyPenalty = options.FrequencyPenalty;
            body.PresencePenalty = options.PresencePenalty;
            body.MaxCompletionTokens = options.MaxOutputTokens;
            body.N = options.ChoiceCount;
            body.ResponseFormat = MapResponseFormat(options.ResponseFormat);
            body.Seed = options.Seed;
            body.Stop = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null;
            body.Temperature = options.Temperature;
            body.TopP = options.TopP;
            body.ReasoningEffort = options.ReasoningLevel;
            body.AdditionalProperties = MapAdditional(options.AdditionalProperties, key => IsSet(body, key));
        }

        return body;
    }

    public static WatsonxGenerationRequest ToGeneration(string prompt, GenerationOptions? options, string model, WatsonxScope scope)
    {
        var body = new WatsonxGenerationRequest { ModelId = model, Input = prompt, ProjectId = scope.ProjectId, SpaceId = scope.SpaceId };
        if (options is null)
        {
            return body;
        }

        var parameters = new WatsonxGenerationParameters
        {
            MaxNewTokens = options.MaxOutputTokens,
            RandomSeed = options.Seed,
            StopSequences = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null,
            Temperature = options.Temperature,
            TopK = options.TopK,
            TopP = options.TopP,
        };

        // Generation samples only with decoding_method "sample"; under the default "greedy" the sampling knobs are ignored.
        if (options.Temperature is 0)
        {
            parameters.DecodingMethod = "greedy";
        }
        else if (options.Temperature is not null || options.TopK is not null || options.TopP is not null)
        {
            parameters.DecodingMethod = "sample";
        }

        parameters.AdditionalProperties = MapAdditional(options.AdditionalProperties, key => key switch
        {
            "decoding_method" => parameters.DecodingMethod is not null,
            "max_new_tokens" => parameters.MaxNewTokens is not null,
            "random_seed" => parameters.RandomSeed is not null,
            "stop_sequences" => parameters.StopSequences is not null,
            "temperature" => parameters.Temperature is not null,
            "top_k" => parameters.TopK is not null,
            "top_p" => parameters.TopP is not null,
            _ => false,
        });
        body.Parameters = parameters;
        return body;
    }

    private static List<WatsonxMessage> MapMessages(IReadOnlyList<ChatMessage> messages)
    {
        var result = new List<WatsonxMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.Tool)
            {
                foreach (var part in message.Parts)
                {
                    if (part is ToolResultPart toolResult)
                    {
                        result.Add(new WatsonxMessage { Role = "tool", ToolCallId = toolResult.CallId, Content = toolResult.Result });
                    }
                }

                continue;
            }

            List<WatsonxToolCall>? calls = null;
            var hasText = false;
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case TextPart:
                        hasText = true;
                        break;
                    case ToolCallPart call:
                        (calls ??= []).Add(new WatsonxToolCall { Id = call.CallId, Function = new WatsonxFunctionCall { Name = call.Name, Arguments = call.ArgumentsJson } });
                        break;
                }
            }

            result.Add(new WatsonxMessage { Role = message.Role.ToWireName(), Content = hasText || calls is null ? message.Text : null, ToolCalls = calls });
        }

        return result;
    }

    private static List<WatsonxTool>? MapTools(IList<ToolDefinition>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return null;
        }

        var result = new List<WatsonxTool>(tools.Count);
        foreach (var tool in tools)
        {
            result.Add(new WatsonxTool { Function = new WatsonxFunctionDefinition { Name = tool.Name, Description = tool.Description, Parameters = tool.ParametersSchema } });
        }

        return result;
    }

    /// <summary>watsonx splits OpenAI's <c>tool_choice</c>: a mode goes in <c>tool_choice_option</c>, a named tool in <c>tool_choice</c>.</summary>
    private static (string? Option, WatsonxNamedToolChoice? Named) MapToolChoice(ToolChoice? choice) => choice switch
    {
        null => (null, null),
        { Mode: ToolChoiceMode.Auto } => ("auto", null),
        { Mode: ToolChoiceMode.None } => ("none", null),
        { Mode: ToolChoiceMode.Required } => ("required", null),
        { } specific => (null, new WatsonxNamedToolChoice { Function = new WatsonxToolName { Name = specific.ToolName ?? string.Empty } }),
    };

    private static WatsonxResponseFormat? MapResponseFormat(ResponseFormat? format) => format?.Kind switch
    {
        null => null,
        ResponseFormatKind.Text => new WatsonxResponseFormat { Type = "text" },
        ResponseFormatKind.Json => new WatsonxResponseFormat { Type = "json_object" },
        _ => new WatsonxResponseFormat
        {
            Type = "json_schema",
            JsonSchema = new WatsonxJsonSchema { Name = format.SchemaName ?? "response", Schema = format.Schema, Strict = format.Strict },
        },
    };

    private static bool IsSet(WatsonxChatRequest body, string key) => key switch
    {
        "model_id" or "model" or "messages" or "project_id" or "space_id" => true,
        "tools" => body.Tools is not null,
        "tool_choice_option" => body.ToolChoiceOption is not null,
        "tool_choice" => body.ToolChoice is not null,
        "frequency_penalty" => body.FrequencyPenalty is not null,
        "presence_penalty" => body.PresencePenalty is not null,
        "max_completion_tokens" => body.MaxCompletionTokens is not null,
        "n" => body.N is not null,
        "response_format" => body.ResponseFormat is not null,
        "seed" => body.Seed is not null,
        "stop" => body.Stop is not null,
        "temperature" => body.Temperature is not null,
        "top_p" => body.TopP is not null,
        "reasoning_effort" => body.ReasoningEffort is not null,
        _ => false,
    };

    private static Dictionary<string, JsonElement>? MapAdditional(IDictionary<string, object?>? additional, Func<string, bool> isManaged)
    {
        if (additional is not { Count: > 0 })
        {
            return null;
        }

        Dictionary<string, JsonElement>? result = null;
        foreach (var (key, value) in additional)
        {
            if (string.IsNullOrEmpty(key) || isManaged(key))
            {
                continue;
            }

            (result ??= new(StringComparer.Ordinal))[key] = ToElement(value);
        }

        return result;
    }

    private static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        JsonDocument document => document.RootElement.Clone(),
        null => JsonSerializer.SerializeToElement<string?>(null, WatsonxJsonContext.Default.String),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), AdditionalPropertySerializer.Options),
    };

    /// <summary>Extras are arbitrary caller objects, so they are the one place serialized by reflection.</summary>
    private static class AdditionalPropertySerializer
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}

/// <summary>Where every call runs: a project or a deployment space (exactly one is sent).</summary>
internal readonly record struct WatsonxScope(string? ProjectId, string? SpaceId);
