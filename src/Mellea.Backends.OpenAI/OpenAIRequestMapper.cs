using System.Text.Json;
using Mellea.Backends.OpenAI.Wire;

namespace Mellea.Backends.OpenAI;

/// <summary>Maps requests and their options onto the OpenAI wire bodies; an unset option is left out of the JSON.</summary>
internal static class OpenAIRequestMapper
{
    private static readonly JsonElement AutoChoice = JsonSerializer.SerializeToElement("auto", OpenAIJsonContext.Default.String);
    private static readonly JsonElement NoneChoice = JsonSerializer.SerializeToElement("none", OpenAIJsonContext.Default.String);
    private static readonly JsonElement RequiredChoice = JsonSerializer.SerializeToElement("required", OpenAIJsonContext.Default.String);

    public static ChatCompletionRequest ToChat(ChatRequest request, string model, bool stream, bool sendsTopK)
    {
        var options = request.Options;
        var body = new ChatCompletionRequest { Model = model, Messages = MapMessages(request.Messages) };
        if (options is not null)
        {
            body.Temperature = options.Temperature;
            body.TopP = options.TopP;
            body.TopK = sendsTopK ? options.TopK : null;
            body.MaxCompletionTokens = options.MaxOutputTokens;
            body.Stop = options.StopSequences is { Count: > 0 } stops ? [.. stops] : null;
            body.Seed = options.Seed;
            body.FrequencyPenalty = options.FrequencyPenalty;
            body.PresencePenalty = options.PresencePenalty;
            body.N = options.ChoiceCount;
            body.Tools = MapTools(options.Tools);
            body.ToolChoice = MapToolChoice(options.ToolChoice);
            body.ResponseFormat = MapResponseFormat(options.ResponseFormat);
            body.ReasoningEffort = options.ReasoningLevel;
        }

        if (stream)
        {
            body.Stream = true;
            body.StreamOptions = new WireStreamOptions { IncludeUsage = true };
        }

        body.AdditionalProperties = MapAdditional(options?.AdditionalProperties, key => IsSet(body, key));
        return body;
    }

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

    private static List<WireMessage> MapMessages(IReadOnlyList<ChatMessage> messages)
    {
        var result = new List<WireMessage>(messages.Count);
        foreach (var message in messages)
        {
            if (message.Role == ChatRole.Tool)
            {
                // OpenAI takes one tool message per result.
                foreach (var part in message.Parts)
                {
                    if (part is ToolResultPart toolResult)
                    {
                        result.Add(new WireMessage { Role = "tool", ToolCallId = toolResult.CallId, Content = toolResult.Result });
                    }
                }

                continue;
            }

            var wire = new WireMessage { Role = message.Role.ToWireName() };
            List<WireToolCall>? calls = null;
            var hasText = false;
            foreach (var part in message.Parts)
            {
                switch (part)
                {
                    case TextPart:
                        hasText = true;
                        break;
                    case ToolCallPart call:
                        (calls ??= []).Add(new WireToolCall { Id = call.CallId, Function = new WireFunctionCall { Name = call.Name, Arguments = call.ArgumentsJson } });
                        break;
                }
            }

            wire.Content = hasText || calls is null ? message.Text : null;
            wire.ToolCalls = calls;
            result.Add(wire);
        }

        return result;
    }

    private static List<WireTool>? MapTools(IList<ToolDefinition>? tools)
    {
        if (tools is not { Count: > 0 })
        {
            return null;
        }

        var result = new List<WireTool>(tools.Count);
        foreach (var tool in tools)
        {
            result.Add(new WireTool { Function = new WireFunctionDefinition { Name = tool.Name, Description = tool.Description, Parameters = tool.ParametersSchema } });
        }

        return result;
    }

    private static JsonElement? MapToolChoice(ToolChoice? choice) => choice switch
    {
        null => null,
        { Mode: ToolChoiceMode.Auto } => AutoChoice,
        { Mode: ToolChoiceMode.None } => NoneChoice,
        { Mode: ToolChoiceMode.Required } => RequiredChoice,
        { } specific => JsonSerializer.SerializeToElement(
            new WireNamedToolChoice { Function = new WireToolName { Name = specific.ToolName ?? string.Empty } },
            OpenAIJsonContext.Default.WireNamedToolChoice),
    };

    private static WireResponseFormat? MapResponseFormat(ResponseFormat? format) => format?.Kind switch
    {
        null => null,
        ResponseFormatKind.Text => new WireResponseFormat { Type = "text" },
        ResponseFormatKind.Json => new WireResponseFormat { Type = "json_object" },
        _ => new WireResponseFormat
        {
            Type = "json_schema",
            JsonSchema = new WireJsonSchema { Name = format.SchemaName ?? "response", Schema = format.Schema, Strict = format.Strict },
        },
    };

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

    private static JsonElement ToElement(object? value) => value switch
    {
        JsonElement element => element,
        JsonDocument document => document.RootElement.Clone(),
        null => JsonSerializer.SerializeToElement<string?>(null, OpenAIJsonContext.Default.String),
        _ => JsonSerializer.SerializeToElement(value, value.GetType(), AdditionalPropertySerializer.Options),
    };

    private static bool IsSet(ChatCompletionRequest body, string key) => key switch
    {
        "model" or "messages" or "stream" or "stream_options" => true,
        "temperature" => body.Temperature is not null,
        "top_p" => body.TopP is not null,
        "top_k" => body.TopK is not null,
        "max_completion_tokens" => body.MaxCompletionTokens is not null,
        "stop" => body.Stop is not null,
        "seed" => body.Seed is not null,
        "frequency_penalty" => body.FrequencyPenalty is not null,
        "presence_penalty" => body.PresencePenalty is not null,
        "n" => body.N is not null,
        "tools" => body.Tools is not null,
        "tool_choice" => body.ToolChoice is not null,
        "response_format" => body.ResponseFormat is not null,
        "reasoning_effort" => body.ReasoningEffort is not null,
        _ => false,
    };

    /// <summary>Extras are arbitrary caller objects, so they are the one place serialized by reflection.</summary>
    private static class AdditionalPropertySerializer
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
