using System.Globalization;
using System.Text.Json;

namespace Mellea.Testing;

/// <summary>
/// The LiteLLM proxy's wire format: OpenAI's bodies and streams, LiteLLM's response headers (<c>x-litellm-response-cost</c>,
/// <c>x-litellm-model-id</c>, <c>x-litellm-model-api-base</c>, <c>x-litellm-attempted-retries</c>, <c>x-litellm-call-id</c>), and its
/// error bodies: <c>code</c> is the HTTP status as a string and <c>type</c>/<c>param</c> are often the string <c>"None"</c>.
/// </summary>
public sealed class LiteLlmWireFormat : OpenAIWireFormat
{
    /// <inheritdoc/>
    public override string Name => "litellm";

    /// <summary>The cost sent in <c>x-litellm-response-cost</c>, or null to send none.</summary>
    public double? ResponseCostUsd { get; set; } = 2.85e-05;

    /// <summary>The deployment hash sent in <c>x-litellm-model-id</c>.</summary>
    public string? ModelId { get; set; } = "cb41bc03f4c33d310019bae8c5afdb1af0a8f97b36a234405a9807614988457c";

    /// <summary>The upstream base URL sent in <c>x-litellm-model-api-base</c>.</summary>
    public string? ModelApiBase { get; set; } = "https://x-example-1234.openai.azure.com";

    /// <summary>The call id sent in <c>x-litellm-call-id</c>, or null to send none.</summary>
    public string? CallId { get; set; } = "b980db26-9512-45cc-b1da-c511a363b83f";

    /// <summary>The retries sent in <c>x-litellm-attempted-retries</c>.</summary>
    public int? AttemptedRetries { get; set; }

    /// <inheritdoc/>
    public override void AddResponseHeaders(EmulatorScript script, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers["x-litellm-version"] = "1.40.21";
        if (CallId is not null)
        {
            headers["x-litellm-call-id"] = CallId;
        }

        if (ResponseCostUsd is { } cost)
        {
            headers["x-litellm-response-cost"] = cost.ToString("R", CultureInfo.InvariantCulture);
        }

        if (ModelId is not null)
        {
            headers["x-litellm-model-id"] = ModelId;
        }

        if (ModelApiBase is not null)
        {
            headers["x-litellm-model-api-base"] = ModelApiBase;
        }

        if (AttemptedRetries is { } retries)
        {
            headers["x-litellm-attempted-retries"] = retries.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <inheritdoc/>
    protected override void WriteErrorTypeAndCode(Utf8JsonWriter writer, EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fault);
        writer.WriteString("type", fault.Type ?? "None");
        writer.WriteString("param", "None");
        writer.WriteString("code", fault.Code ?? fault.StatusCode.ToString(CultureInfo.InvariantCulture));
    }
}
