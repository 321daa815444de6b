using System.Globalization;

namespace Mellea;

#pragma warning disable CA2208 // ParamName is the path of the bad request field ("Options.Temperature"), which is what the caller needs.

/// <summary>The checks behind <see cref="ChatRequest.Validate"/> and <see cref="RawCompletionRequest.Validate"/>.</summary>
internal static class RequestValidator
{
    public static void Validate(ChatRequest request)
    {
        if (request.Messages.Count == 0)
        {
            throw new ArgumentException("Messages must contain at least one message.", "Messages");
        }

        for (var i = 0; i < request.Messages.Count; i++)
        {
            var message = request.Messages[i];
            if (message is null)
            {
                throw new ArgumentException($"Messages[{i}] is null.", $"Messages[{i}]");
            }

            // A range check, not Enum.IsDefined, which boxes: validation runs on every call.
            if ((uint)message.Role > (uint)ChatRole.Tool)
            {
                throw new ArgumentException(
                    $"Messages[{i}].Role has the unknown value {((int)message.Role).ToString(CultureInfo.InvariantCulture)}; use system, user, assistant or tool.",
                    $"Messages[{i}].Role");
            }
        }

        ValidateOptions(request.Options);
    }

    public static void Validate(RawCompletionRequest request)
    {
        if (request.Prompts.Count == 0)
        {
            throw new ArgumentException("Prompts must contain at least one prompt.", "Prompts");
        }

        for (var i = 0; i < request.Prompts.Count; i++)
        {
            if (string.IsNullOrEmpty(request.Prompts[i]))
            {
                throw new ArgumentException($"Prompts[{i}] is null or empty.", $"Prompts[{i}]");
            }
        }

        ValidateOptions(request.Options);
    }

    private static void ValidateOptions(GenerationOptions? options)
    {
        if (options is null)
        {
            return;
        }

        Range("Options.Temperature", options.Temperature, 0, 2);
        Range("Options.TopP", options.TopP, 0, 1);
        Range("Options.FrequencyPenalty", options.FrequencyPenalty, -2, 2);
        Range("Options.PresencePenalty", options.PresencePenalty, -2, 2);
        AtLeastOne("Options.TopK", options.TopK);
        AtLeastOne("Options.MaxOutputTokens", options.MaxOutputTokens);
        AtLeastOne("Options.ChoiceCount", options.ChoiceCount);
        AtLeastOne("Options.ContextWindowTokens", options.ContextWindowTokens);

        if (options.ModelId is { } model && string.IsNullOrWhiteSpace(model))
        {
            throw new ArgumentException("Options.ModelId must not be empty; leave it null to use the default model.", "Options.ModelId");
        }

        if (options.StopSequences is { } stops)
        {
            for (var i = 0; i < stops.Count; i++)
            {
                if (string.IsNullOrEmpty(stops[i]))
                {
                    throw new ArgumentException($"Options.StopSequences[{i}] is null or empty.", $"Options.StopSequences[{i}]");
                }
            }
        }

        if (options.Tools is { } tools)
        {
            for (var i = 0; i < tools.Count; i++)
            {
                if (tools[i] is null)
                {
                    throw new ArgumentException($"Options.Tools[{i}] is null.", $"Options.Tools[{i}]");
                }

                if (string.IsNullOrWhiteSpace(tools[i].Name))
                {
                    throw new ArgumentException($"Options.Tools[{i}].Name is empty; every tool needs a name.", $"Options.Tools[{i}].Name");
                }
            }
        }

        if (options.ToolChoice is { Mode: ToolChoiceMode.Specific } choice && !HasTool(options.Tools, choice.ToolName))
        {
            throw new ArgumentException($"Options.ToolChoice names the tool '{choice.ToolName}', which is not in Options.Tools.", "Options.ToolChoice");
        }
    }

    // A loop, not a LINQ lambda: a captured variable would allocate a closure on every validation.
    private static bool HasTool(IList<ToolDefinition>? tools, string? name)
    {
        if (tools is null)
        {
            return false;
        }

        for (var i = 0; i < tools.Count; i++)
        {
            if (tools[i].Name == name)
            {
                return true;
            }
        }

        return false;
    }

    private static void Range(string field, double? value, double min, double max)
    {
        if (value is { } v && (double.IsNaN(v) || v < min || v > max))
        {
            throw new ArgumentOutOfRangeException(
                field,
                v,
                string.Create(CultureInfo.InvariantCulture, $"{field} must be between {min} and {max}."));
        }
    }

    private static void AtLeastOne(string field, int? value)
    {
        if (value is { } v && v < 1)
        {
            throw new ArgumentOutOfRangeException(field, v, $"{field} must be at least 1.");
        }
    }
}
