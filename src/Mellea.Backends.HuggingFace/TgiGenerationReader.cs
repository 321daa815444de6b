using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Mellea.Backends.Http;

namespace Mellea.Backends.HuggingFace;

/// <summary>
/// Reads one TGI generation: a <c>/generate</c> body (an object, or the compat route's one-element array), or the events of
/// <c>/generate_stream</c> (tokens, then a last event with <c>generated_text</c> and <c>details</c>; no <c>[DONE]</c>). It keeps the text,
/// <c>details.finish_reason</c>, <c>details.generated_tokens</c> and <c>details.input_length</c>, and turns an error body or event into a
/// <see cref="GenerationException"/>.
/// </summary>
internal sealed class TgiGenerationReader
{
    private readonly ProviderErrorContext _errors;
    private readonly HttpResponseMessage _response;
    private readonly StringBuilder _tokens = new();
    private string? _generatedText;

    public TgiGenerationReader(ProviderErrorContext errors, HttpResponseMessage response)
    {
        _errors = errors;
        _response = response;
        EventParser = ParseEvent;
    }

    /// <summary>The parser handed to the SSE reader; made once per call.</summary>
    public SseItemParser<bool> EventParser { get; }

    /// <summary>The generated text: <c>generated_text</c> when the server sent it, else the joined non-special tokens.</summary>
    public string Text => _generatedText ?? _tokens.ToString();

    public string? FinishReasonRaw { get; private set; }

    public long? GeneratedTokens { get; private set; }

    public long? InputLength { get; private set; }

    /// <summary>Whether the final <c>details</c> (or a whole body) arrived.</summary>
    public bool Completed { get; private set; }

    public FinishReason? Finish => FinishReasonRaw is { } raw ? FinishReason.Normalize(raw) : null;

    /// <summary>
    /// Token counts: output from <c>details.generated_tokens</c> (or the <c>x-generated-tokens</c> header), input from the
    /// <c>x-prompt-tokens</c> header (or <c>details.input_length</c> of a stream's last event).
    /// </summary>
    public UsageDetails? ToUsage()
    {
        var input = Header("x-prompt-tokens") ?? InputLength;
        var output = GeneratedTokens ?? Header("x-generated-tokens");
        return input is null && output is null ? null : new UsageDetails { InputTokens = input, OutputTokens = output }.WithComputedTotal();
    }

    /// <summary>Reads a whole <c>/generate</c> (or compat <c>/</c>) body.</summary>
    public void ReadBody(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Array)
        {
            if (root.GetArrayLength() == 0)
            {
                throw new JsonException("TGI answered with an empty array.");
            }

            root = root[0];
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException("TGI's answer is not a JSON object.");
        }

        if (root.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
        {
            throw ProviderErrors.FromErrorDetails(ProviderErrorDetails.FromElement(root)!, _errors, _response);
        }

        _generatedText = root.TryGetProperty("generated_text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : string.Empty;
        if (root.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Object)
        {
            if (details.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                FinishReasonRaw = finish.GetString();
            }

            GeneratedTokens = Long(details, "generated_tokens");
            InputLength = Long(details, "input_length");
        }

        Completed = true;
    }

    private static long? Long(JsonElement owner, string name) =>
        owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : null;

    private long? Header(string name) =>
        _response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count
            : null;

    private bool ParseEvent(string eventType, ReadOnlySpan<byte> data)
    {
        var reader = new Utf8JsonReader(data);
        if (!reader.Read())
        {
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A TGI stream event is not a JSON object.");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("token"u8))
            {
                ReadToken(ref reader);
            }
            else if (reader.ValueTextEquals("generated_text"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    _generatedText = reader.GetString();
                }
            }
            else if (reader.ValueTextEquals("details"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadDetails(ref reader);
                    Completed = true;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.Null)
                {
                    throw ProviderErrors.FromErrorEvent(data, _errors, _response);
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return true;
    }

    private void ReadToken(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        string? text = null;
        var special = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("text"u8))
            {
                reader.Read();
                text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }
            else if (reader.ValueTextEquals("special"u8))
            {
                reader.Read();
                special = reader.TokenType == JsonTokenType.True;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        // Special tokens (</s>, <|eot_id|>) are not text; TGI leaves them out of generated_text too.
        if (!special && text is not null)
        {
            _tokens.Append(text);
        }
    }

    private void ReadDetails(ref Utf8JsonReader reader)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("finish_reason"u8))
            {
                reader.Read();
                FinishReasonRaw = reader.TokenType == JsonTokenType.String ? reader.GetString() : FinishReasonRaw;
            }
            else if (reader.ValueTextEquals("generated_tokens"u8))
            {
                reader.Read();
                GeneratedTokens = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var generated) ? generated : GeneratedTokens;
            }
            else if (reader.ValueTextEquals("input_length"u8))
            {
                reader.Read();
                InputLength = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var input) ? input : InputLength;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }
}
