using System.Globalization;
using System.Text.Json;

namespace Mellea.Backends.Http;

/// <summary>
/// The parts of a provider's error body: message, type, code and parameter. <see cref="Parse"/> reads every shape the
/// five providers use, so a backend never writes its own error-body parser.
/// </summary>
/// <remarks>
/// Shapes read:
/// <list type="bullet">
/// <item>OpenAI, LiteLLM, TGI Messages API: <c>{"error": {"message", "type", "param", "code"}}</c>. LiteLLM sends <c>code</c> as a string
/// or an int and <c>type</c>/<c>param</c> as the literal string <c>"None"</c>, which is read as absent.</item>
/// <item>TGI native, Ollama, HF router: <c>{"error": "text", "error_type": "validation"}</c>.</item>
/// <item>FastAPI (LiteLLM unknown route): <c>{"detail": "Not Found"}</c>.</item>
/// <item>watsonx.ai: <c>{"errors": [{"code", "message"}], "trace": "…"}</c>.</item>
/// </list>
/// </remarks>
public sealed class ProviderErrorDetails
{
    /// <summary>The provider's message, or <see langword="null"/>.</summary>
    public string? Message { get; set; }

    /// <summary>The provider's error type (OpenAI <c>invalid_request_error</c>, TGI <c>error_type</c>).</summary>
    public string? Type { get; set; }

    /// <summary>The provider's error code, as text (LiteLLM's int codes become their decimal text).</summary>
    public string? Code { get; set; }

    /// <summary>The request field the error is about, if the provider named one.</summary>
    public string? Param { get; set; }

    /// <summary>A request id carried in the body (watsonx <c>trace</c>, LiteLLM <c>litellm_call_id</c>).</summary>
    public string? RequestId { get; set; }

    /// <summary>
    /// The code as an HTTP status when it is one (LiteLLM echoes the status as its code: <c>"429"</c>, <c>403</c>); otherwise <see langword="null"/>.
    /// </summary>
    public int? CodeAsStatus =>
        Code is { Length: 3 } code && int.TryParse(code, NumberStyles.None, CultureInfo.InvariantCulture, out var status) && status is >= 100 and <= 599
            ? status
            : null;

    /// <summary>
    /// The most specific machine-readable reason: the code, unless it only echoes the HTTP status (LiteLLM), in which case the type.
    /// This is what <see cref="ErrorClassifier"/> reads to refine a category (<c>insufficient_quota</c>, <c>budget_exceeded</c>, content filters).
    /// </summary>
    public string? ReasonCode => CodeAsStatus is null ? Code ?? Type : Type;

    /// <summary>Parses an error body. Returns <see langword="null"/> when the text is not JSON or has no recognised error shape.</summary>
    /// <param name="json">The body.</param>
    public static ProviderErrorDetails? Parse(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            return FromElement(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or OverflowException or InvalidOperationException)
        {
            // An error body is read on a best-effort basis: one that is not JSON, or whose strings are not valid UTF-8
            // (InvalidOperationException from GetString), has no details, and the status alone classifies the failure.
            return null;
        }
    }

    /// <summary>Reads an error from a parsed JSON value (an error body, or a stream event with a top-level <c>error</c>).</summary>
    /// <param name="root">The value.</param>
    public static ProviderErrorDetails? FromElement(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var details = new ProviderErrorDetails();
        if (root.TryGetProperty("error", out var error))
        {
            details = FromErrorValue(error);
            if (error.ValueKind == JsonValueKind.String)
            {
                details.Type = Text(root, "error_type");
            }

            return details;
        }

        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            details.Message = Text(first, "message");
            details.Code = Text(first, "code");
            details.RequestId = Text(root, "trace");
            return details;
        }

        if (root.TryGetProperty("detail", out var detail))
        {
            details.Message = detail.ValueKind == JsonValueKind.String ? detail.GetString() : detail.GetRawText();
            return details;
        }

        if (Text(root, "message") is { } message)
        {
            details.Message = message;
            details.Code = Text(root, "code");
            details.Type = Text(root, "type");
            return details;
        }

        return null;
    }

    /// <summary>Reads the value of an <c>error</c> property: an object with message, type, code and param, or a plain message.</summary>
    /// <param name="error">The value of <c>error</c>.</param>
    public static ProviderErrorDetails FromErrorValue(JsonElement error)
    {
        var details = new ProviderErrorDetails();
        switch (error.ValueKind)
        {
            case JsonValueKind.Object:
                details.Message = Text(error, "message");
                details.Type = Text(error, "type");
                details.Code = Text(error, "code");
                details.Param = Text(error, "param");
                details.RequestId = Text(error, "litellm_call_id");

                // TGI's chat-stream errors carry the status they stand for: {"error":{"message","http_status_code":422}}.
                details.Code ??= Text(error, "http_status_code");
                break;
            case JsonValueKind.String:
                details.Message = error.GetString();
                break;
            default:
                details.Message = error.GetRawText();
                break;
        }

        return details;
    }

    /// <inheritdoc/>
    public override string ToString() => $"provider error (type={Type ?? "none"}, code={Code ?? "none"})";

    private static string? Text(JsonElement owner, string name)
    {
        if (owner.ValueKind != JsonValueKind.Object || !owner.TryGetProperty(name, out var value))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => value.GetRawText(),
        };

        // LiteLLM writes Python's None as a string.
        return string.IsNullOrWhiteSpace(text) || text == "None" ? null : text;
    }
}
