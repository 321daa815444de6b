using Microsoft.Extensions.AI;

namespace Mellea.Extensions.AI;

/// <summary>Finish reasons both ways: the four shared values by meaning, any other by its raw text.</summary>
internal static class FinishReasonMapper
{
    public static ChatFinishReason? ToMeai(FinishReason? reason) => reason switch
    {
        null => null,
        { Kind: FinishReasonKind.Stop } => ChatFinishReason.Stop,
        { Kind: FinishReasonKind.Length } => ChatFinishReason.Length,
        { Kind: FinishReasonKind.ToolCall } => ChatFinishReason.ToolCalls,
        { Kind: FinishReasonKind.ContentFilter } => ChatFinishReason.ContentFilter,
        { } other => new ChatFinishReason(other.Raw),
    };

    public static FinishReason? ToMellea(ChatFinishReason? reason, bool hasToolCalls) =>
        reason is { } value ? FinishReason.Normalize(value.Value, hasToolCalls) : null;
}
