using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.Watsonx;

/// <summary>
/// Reads one <c>/ml/v1/text/generation</c> answer: a whole body, or the events of <c>generation_stream</c>, in which only the first event
/// has <c>input_token_count</c>, <c>generated_token_count</c> counts up to the last event's total, and <c>stop_reason</c> is
/// <c>not_finished</c> until the end.
/// </summary>
internal sealed class WatsonxGenerationReader
{
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly StringBuilder _text = new();

    public WatsonxGenerationReader(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        EventParser = ParseEvent;
    }

    public SseItemParser<bool> EventParser { get; }

    public string Text => _text.ToString();

    public string? Model { get; private set; }

    public string? StopReason { get; private set; }

    public long? InputTokens { get; private set; }

    public long? GeneratedTokens { get; private set; }

    public FinishReason? Finish => WatsonxMetadata.Normalize(StopReason);

    public UsageDetails? ToUsage() =>
        InputTokens is null && GeneratedTokens is null ? null : new UsageDetails { InputTokens = InputTokens, OutputTokens = GeneratedTokens }.WithComputedTotal();

    /// <summary>
    /// At the end of a <c>generation_stream</c> body: its end signal is a last event whose <c>stop_reason</c> is not <c>not_finished</c>
    /// (there is no <c>[DONE]</c>). A body that ended before it (cut, or empty) is a transport error, never a prefix passed off as the answer.
    /// </summary>
    /// <param name="requestId">The provider's request id, for the error.</param>
    /// <exception cref="GenerationException">The stream ended before its final event.</exception>
    public void EnsureStreamEnded(string? requestId)
    {
        if (StopReason is null or "not_finished")
        {
            throw new GenerationException(ErrorCategory.TransportError, $"{_errors.ProviderName}'s generation stream ended before its end signal (a final stop_reason) arrived: the answer was cut short.")
            {
                ErrorType = "transport_error",
                ProviderName = _errors.ProviderName,
                ProviderRequestId = requestId,
            };
        }
    }

    /// <summary>Reads a whole generation body.</summary>
    public void ReadBody(ReadOnlySpan<byte> json) => Read(json);

    private bool ParseEvent(string eventType, ReadOnlySpan<byte> data)
    {
        if (eventType == "error")
        {
            throw ProviderErrors.FromErrorEvent(data, _errors, _response);
        }

        Read(data);
        return true;
    }

    private void Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read())
        {
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A generation answer is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("results"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                // One prompt per request, so one result; a second one would belong to another prompt and is not expected.
                var first = true;
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    if (first)
                    {
                        ReadResult(ref reader);
                        first = false;
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("model_id"u8))
            {
                reader.Read();
                if (Model is null && reader.TokenType == JsonTokenType.String)
                {
                    Model = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("errors"u8) || reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw ProviderErrors.FromErrorEvent(json, _errors, _response);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private void ReadResult(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("generated_text"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && !reader.ValueTextEquals(""u8))
                {
                    _text.Append(reader.GetString());
                }
            }
            else if (reader.ValueTextEquals("input_token_count"u8))
            {
                reader.Read();

                // Streams repeat the field with 0 after the first event: keep the real count.
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var input) && (input > 0 || InputTokens is null))
                {
                    InputTokens = input;
                }
            }
            else if (reader.ValueTextEquals("generated_token_count"u8))
            {
                reader.Read();

                // Cumulative: the last event's value is the total.
                if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var generated))
                {
                    GeneratedTokens = generated;
                }
            }
            else if (reader.ValueTextEquals("stop_reason"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    StopReason = reader.ValueTextEquals("not_finished"u8) ? StopReason ?? "not_finished" : reader.GetString();
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}
