using System.Text;
using Microsoft.Extensions.AI;
using Meai = Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>Whole responses both ways.</summary>
internal static class ResponseMapper
{
    /// <summary>
    /// A Mellea response as a Microsoft.Extensions.AI one. Microsoft.Extensions.AI has no choices: the first choice becomes the
    /// message; the whole Mellea response stays reachable as <c>RawRepresentation</c>.
    /// </summary>
    public static Meai.ChatResponse ToMeai(ChatResponse response, string? conversationId)
    {
        var choice = response.Choices[0];
        var metadata = response.Metadata;
        return new Meai.ChatResponse(MessageMapper.ToMeai(choice.Message, choice.ReasoningText))
        {
            ResponseId = metadata.ResponseId,
            ModelId = metadata.ResponseModel,
            FinishReason = FinishReasonMapper.ToMeai(choice.FinishReason ?? (metadata.FinishReasons.Count > 0 ? metadata.FinishReasons[0] : null)),
            Usage = UsageMapper.ToMeai(metadata.Usage),
            ConversationId = conversationId,
            RawRepresentation = response,
            AdditionalProperties = Extras(metadata),
        };
    }

    /// <summary>
    /// A Microsoft.Extensions.AI response as a Mellea one: the contents of its assistant messages (a response can hold several)
    /// become one assistant message, its reasoning the choice's reasoning text.
    /// </summary>
    public static ChatResponse ToMellea(Meai.ChatResponse response, GenerationHandlerInfo info, string? requestModel)
    {
        var parts = new List<MessagePart>();
        StringBuilder? reasoning = null;
        foreach (var message in response.Messages)
        {
            if (message.Role != Meai.ChatRole.Assistant)
            {
                continue;
            }

            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent text:
                        parts.Add(new TextPart(text.Text ?? string.Empty));
                        break;
                    case FunctionCallContent call:
                        parts.Add(MessageMapper.ToMellea(call));
                        break;
                    case TextReasoningContent thought:
                        (reasoning ??= new StringBuilder()).Append(thought.Text);
                        break;
                }
            }
        }

        var hasToolCalls = parts.Exists(p => p is ToolCallPart);
        var finish = FinishReasonMapper.ToMellea(response.FinishReason, hasToolCalls);
        var metadata = Metadata(info, requestModel, response.ModelId, response.ResponseId, finish, UsageMapper.ToMellea(response.Usage), response.AdditionalProperties, streamed: false);
        return new ChatResponse([new ChatChoice(0, new ChatMessage(ChatRole.Assistant, parts), finish, reasoning?.ToString())], metadata);
    }

    public static GenerationMetadata Metadata(
        GenerationHandlerInfo info, string? requestModel, string? responseModel, string? responseId, FinishReason? finish, UsageDetails? usage, AdditionalPropertiesDictionary? extras, bool streamed) => new()
        {
            ProviderName = info.ProviderName,
            RequestModel = requestModel,
            ResponseModel = responseModel,
            ResponseId = responseId,
            FinishReasons = finish is { } reason ? [reason] : [],
            Usage = usage,
            ServerAddress = info.ServerAddress,
            ServerPort = info.ServerPort,
            Streamed = streamed,
            ProviderRequestId = extras?.TryGetValue(InteropKeys.ProviderRequestId, out var requestId) == true ? requestId as string : null,
            ReportedCostUsd = extras?.TryGetValue(InteropKeys.ReportedCostUsd, out var cost) == true && cost is double usd ? usd : null,
        };

    public static AdditionalPropertiesDictionary? Extras(GenerationMetadata metadata)
    {
        if (metadata.ProviderRequestId is null && metadata.ReportedCostUsd is null)
        {
            return null;
        }

        var extras = new AdditionalPropertiesDictionary();
        if (metadata.ProviderRequestId is { } requestId)
        {
            extras[InteropKeys.ProviderRequestId] = requestId;
        }

        if (metadata.ReportedCostUsd is { } cost)
        {
            extras[InteropKeys.ReportedCostUsd] = cost;
        }

        return extras;
    }
}
