using System.Globalization;
using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>
/// Options both ways. Shared fields map one to one; what only Mellea has travels in <c>ChatOptions.AdditionalProperties</c> under
/// <see cref="InteropKeys"/>, and comes back out of it.
/// </summary>
internal static class OptionsMapper
{
    public static GenerationOptions? ToMellea(ChatOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var result = new GenerationOptions
        {
            ModelId = options.ModelId,
            Temperature = ToDouble(options.Temperature),
            TopP = ToDouble(options.TopP),
            TopK = options.TopK,
            MaxOutputTokens = options.MaxOutputTokens,
            StopSequences = options.StopSequences is null ? null : [.. options.StopSequences],
            Seed = options.Seed,
            FrequencyPenalty = ToDouble(options.FrequencyPenalty),
            PresencePenalty = ToDouble(options.PresencePenalty),
            ToolChoice = ToMellea(options.ToolMode),
            ConversationId = options.ConversationId,
        };

        if (options.Tools is { Count: > 0 } tools)
        {
            result.Tools = new List<ToolDefinition>(tools.Count);
            foreach (var tool in tools)
            {
                if (tool is not AIFunctionDeclaration function)
                {
                    throw new NotSupportedException($"The tool '{tool?.Name}' is a {tool?.GetType().Name}; Mellea requests carry function tools only.");
                }

                result.Tools.Add(new ToolDefinition(function.Name, string.IsNullOrEmpty(function.Description) ? null : function.Description, function.JsonSchema.Clone()));
            }
        }

        var extras = options.AdditionalProperties;
        result.ResponseFormat = options.ResponseFormat switch
        {
            null => null,
            ChatResponseFormatText => ResponseFormat.Text,
            ChatResponseFormatJson { Schema: { } schema } json => ResponseFormat.ForJsonSchema(json.SchemaName ?? "response", schema, strict: extras?.TryGetValue(InteropKeys.StrictJsonSchema, out var strict) != true || strict is not false),
            ChatResponseFormatJson => ResponseFormat.Json,
            _ => throw new NotSupportedException($"Unknown response format {options.ResponseFormat.GetType().Name}."),
        };
        result.ReasoningLevel = options.Reasoning?.Effort switch
        {
            ReasoningEffort.None => "none",
            ReasoningEffort.Low => "low",
            ReasoningEffort.Medium => "medium",
            ReasoningEffort.High => "high",
            ReasoningEffort.ExtraHigh => "xhigh",
            _ => null,
        };

        if (options.AllowMultipleToolCalls is { } parallel)
        {
            (result.AdditionalProperties ??= new Dictionary<string, object?>(StringComparer.Ordinal))[InteropKeys.ParallelToolCalls] = parallel;
        }

        if (extras is not null)
        {
            foreach (var pair in extras)
            {
                switch (pair.Key)
                {
                    case InteropKeys.ChoiceCount:
                        result.ChoiceCount = Convert.ToInt32(pair.Value, CultureInfo.InvariantCulture);
                        break;
                    case InteropKeys.ContextWindowTokens:
                        result.ContextWindowTokens = Convert.ToInt32(pair.Value, CultureInfo.InvariantCulture);
                        break;
                    case InteropKeys.TelemetryTags when pair.Value is IDictionary<string, string> tags:
                        result.TelemetryTags = new Dictionary<string, string>(tags, StringComparer.Ordinal);
                        break;
                    case InteropKeys.ReasoningLevel:
                        result.ReasoningLevel ??= pair.Value as string;
                        break;
                    case InteropKeys.StrictJsonSchema when result.ResponseFormat is { Kind: ResponseFormatKind.JsonSchema }:
                        break;
                    default:
                        (result.AdditionalProperties ??= new Dictionary<string, object?>(StringComparer.Ordinal))[pair.Key] = pair.Value;
                        break;
                }
            }
        }

        return result;
    }

    public static ChatOptions? ToMeai(GenerationOptions? options)
    {
        if (options is null)
        {
            return null;
        }

        var result = new ChatOptions
        {
            ModelId = options.ModelId,
            Temperature = ToFloat(options.Temperature),
            TopP = ToFloat(options.TopP),
            TopK = options.TopK,
            MaxOutputTokens = options.MaxOutputTokens,
            StopSequences = options.StopSequences is null ? null : [.. options.StopSequences],
            Seed = options.Seed,
            FrequencyPenalty = ToFloat(options.FrequencyPenalty),
            PresencePenalty = ToFloat(options.PresencePenalty),
            ToolMode = ToMeai(options.ToolChoice),
            ConversationId = options.ConversationId,
        };

        if (options.Tools is { Count: > 0 } tools)
        {
            result.Tools = new List<AITool>(tools.Count);
            foreach (var tool in tools)
            {
                result.Tools.Add(AIFunctionFactory.CreateDeclaration(tool.Name, tool.Description, tool.ParametersSchema ?? EmptyObjectSchema()));
            }
        }

        if (options.ResponseFormat is { } format)
        {
            result.ResponseFormat = format.Kind switch
            {
                ResponseFormatKind.Text => ChatResponseFormat.Text,
                ResponseFormatKind.Json => ChatResponseFormat.Json,
                _ => ChatResponseFormat.ForJsonSchema(format.Schema!.Value, format.SchemaName),
            };
            if (format.Kind == ResponseFormatKind.JsonSchema)
            {
                Extras(result)[InteropKeys.StrictJsonSchema] = format.Strict;
            }
        }

        if (options.ReasoningLevel is { } level)
        {
            ReasoningEffort? effort = level switch
            {
                "none" => ReasoningEffort.None,
                "low" => ReasoningEffort.Low,
                "medium" => ReasoningEffort.Medium,
                "high" => ReasoningEffort.High,
                "xhigh" => ReasoningEffort.ExtraHigh,
                _ => null,
            };
            if (effort is { } known)
            {
                result.Reasoning = new ReasoningOptions { Effort = known };
            }
            else
            {
                Extras(result)[InteropKeys.ReasoningLevel] = level;
            }
        }

        if (options.ChoiceCount is { } choices)
        {
            Extras(result)[InteropKeys.ChoiceCount] = choices;
        }

        if (options.ContextWindowTokens is { } window)
        {
            Extras(result)[InteropKeys.ContextWindowTokens] = window;
        }

        if (options.TelemetryTags is { } tags)
        {
            Extras(result)[InteropKeys.TelemetryTags] = new Dictionary<string, string>(tags, StringComparer.Ordinal);
        }

        if (options.AdditionalProperties is { } extras)
        {
            foreach (var pair in extras)
            {
                if (pair.Key == InteropKeys.ParallelToolCalls && pair.Value is bool parallel)
                {
                    result.AllowMultipleToolCalls = parallel;
                }
                else
                {
                    Extras(result)[pair.Key] = pair.Value;
                }
            }
        }

        return result;
    }

    private static ToolChoice? ToMellea(ChatToolMode? mode) => mode switch
    {
        null => null,
        NoneChatToolMode => ToolChoice.None,
        RequiredChatToolMode { RequiredFunctionName: { } name } => ToolChoice.Specific(name),
        RequiredChatToolMode => ToolChoice.Required,
        _ => ToolChoice.Auto,
    };

    private static ChatToolMode? ToMeai(ToolChoice? choice) => choice?.Mode switch
    {
        null => null,
        ToolChoiceMode.None => ChatToolMode.None,
        ToolChoiceMode.Required => ChatToolMode.RequireAny,
        ToolChoiceMode.Specific => ChatToolMode.RequireSpecific(choice.Value.ToolName!),
        _ => ChatToolMode.Auto,
    };

    private static AdditionalPropertiesDictionary Extras(ChatOptions options) => options.AdditionalProperties ??= [];

    private static System.Text.Json.JsonElement EmptyObjectSchema()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{}}""");
        return document.RootElement.Clone();
    }

    // Microsoft.Extensions.AI keeps sampling values as float. Going through the shortest text of the float gives back 0.7, not
    // 0.699999988079071, so a value a person typed survives the round trip.
    private static double? ToDouble(float? value) =>
        value is { } v ? double.Parse(v.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : null;

    private static float? ToFloat(double? value) => value is { } v ? (float)v : null;
}
