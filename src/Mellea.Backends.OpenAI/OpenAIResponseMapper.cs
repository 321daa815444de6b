using System.Text.Json;
using Mellea.Backends.OpenAI.Wire;

namespace Mellea.Backends.OpenAI;

/// <summary>Maps whole raw-batch (<c>text_completion</c>) responses onto the Mellea model. Whole chat responses are read by <see cref="OpenAIChatCompletionReader"/>; streams fill the same metadata fields the same way (see <see cref="OpenAIStreamParser"/>).</summary>
internal static class OpenAIResponseMapper
{
    public static RawCompletionResponse ToRawResponse(ChatCompletionResponse wire, GenerationMetadata metadata, int choicesPerPrompt)
    {
        var wireChoices = SortedChoices(wire);
        var completions = new List<RawCompletion>(wireChoices.Count);
        var finishes = new List<FinishReason>(wireChoices.Count);
        foreach (var wireChoice in wireChoices)
        {
            FinishReason? finish = wireChoice.FinishReason is { } raw ? FinishReason.Normalize(raw) : null;
            if (finish is { } f)
            {
                finishes.Add(f);
            }

            // A batch's choice index is prompt × n + k: the prompt is the index divided by n.
            completions.Add(new RawCompletion(wireChoice.Index / choicesPerPrompt, wireChoice.Text ?? wireChoice.Message?.Content ?? string.Empty, finish));
        }

        Fill(metadata, wire, finishes);
        return new RawCompletionResponse(completions, metadata);
    }

    public static UsageDetails? ToUsage(WireUsage? usage)
    {
        if (usage is null)
        {
            return null;
        }

        return new UsageDetails
        {
            InputTokens = usage.PromptTokens,
            OutputTokens = usage.CompletionTokens,
            TotalTokens = usage.TotalTokens,
            CacheReadInputTokens = usage.PromptTokensDetails?.CachedTokens,
            CacheWriteInputTokens = usage.PromptTokensDetails?.CacheWriteTokens ?? usage.CacheCreationInputTokens,
            ReasoningOutputTokens = usage.CompletionTokensDetails?.ReasoningTokens,
        }.WithComputedTotal();
    }

    private static void Fill(GenerationMetadata metadata, ChatCompletionResponse wire, List<FinishReason> finishes)
    {
        metadata.ResponseId = string.IsNullOrEmpty(wire.Id) ? null : wire.Id;
        metadata.ResponseModel = string.IsNullOrEmpty(wire.Model) ? null : wire.Model;
        metadata.Usage = ToUsage(wire.Usage);
        metadata.FinishReasons = finishes;
    }

    private static List<WireChoice> SortedChoices(ChatCompletionResponse wire)
    {
        var choices = wire.Choices is { Count: > 0 } list ? list : throw new JsonException("The response has no choices.");
        if (choices.Exists(c => c is null))
        {
            throw new JsonException("The response has a null choice.");
        }

        // Some servers (TGI batches) answer out of order; the Mellea model is ordered by index.
        choices.Sort(static (a, b) => a.Index.CompareTo(b.Index));
        return choices;
    }
}
