using System.Globalization;
using System.Text.RegularExpressions;

namespace Mellea.Testing;

/// <summary>
/// Hugging Face text-generation-inference (TGI): the native <c>POST /generate</c> (with <c>details</c>) and <c>POST /generate_stream</c>
/// (SSE written <c>data:{…}</c> without a space, no <c>[DONE]</c>, the last event with <c>generated_text</c> and <c>details</c>), and the
/// OpenAI-compatible Messages API with TGI's differences: <c>"id": ""</c> and <c>"finish_reason": "stop"</c> on tool-call turns.
/// Errors are <c>{"error":"…","error_type":"…"}</c>.
/// </summary>
public sealed partial class TgiWireFormat : OpenAIWireFormat
{
    /// <inheritdoc/>
    public override string Name => "tgi";

    /// <summary>Whether answers carry <c>x-prompt-tokens</c>/<c>x-generated-tokens</c> headers from the script's usage (TGI sends them on <c>/generate</c>).</summary>
    public bool SendTokenHeaders { get; set; } = true;

    /// <summary>
    /// Answers each <c>/generate</c> with <c>"echo: " + inputs</c> instead of the script's text, so a test of a concurrent raw batch can check
    /// that every completion went back to its own prompt whatever order the requests arrived in.
    /// </summary>
    public bool EchoPrompts { get; set; }

    /// <inheritdoc/>
    public override bool Handles(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return IsNative(request) || base.Handles(request);
    }

    /// <summary><c>/generate_stream</c> always streams and <c>/generate</c> never does; the Messages API streams on <c>"stream": true</c>.</summary>
    /// <param name="request">The request.</param>
    public override bool IsStreamingRequest(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.EndsWith("/generate_stream", StringComparison.Ordinal)
            || (!request.Path.EndsWith("/generate", StringComparison.Ordinal) && base.IsStreamingRequest(request));
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderResponse(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        if (!IsNative(request))
        {
            return new EmulatorResponse(200, TgiChatDifferences(base.RenderResponse(script, request).Body));
        }

        var choice = script.Choices.Count > 0 ? script.Choices[0] : new ScriptedChoice();
        var body = Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("generated_text", EchoPrompts ? "echo: " + request.JsonProperty("inputs")?.GetString() : choice.Text);
            writer.WriteStartObject("details");
            writer.WriteString("finish_reason", NativeFinishReason(choice));
            writer.WriteNumber("generated_tokens", script.Usage?.OutputTokens ?? choice.TextChunks.Count);
            writer.WriteNull("seed");
            writer.WriteStartArray("prefill");
            writer.WriteEndArray();
            writer.WriteStartArray("tokens");
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
        return new EmulatorResponse(200, body);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<string> RenderStream(EmulatorScript script, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(request);
        if (!IsNative(request))
        {
            return [.. base.RenderStream(script, request).Select(TgiChatDifferences)];
        }

        var choice = script.Choices.Count > 0 ? script.Choices[0] : new ScriptedChoice();
        var frames = new List<string>(choice.TextChunks.Count);
        for (var i = 0; i < choice.TextChunks.Count; i++)
        {
            var last = i == choice.TextChunks.Count - 1;
            var chunk = choice.TextChunks[i];
            frames.Add("data:" + Write(writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("index", i + 1);
                writer.WriteStartObject("token");
                writer.WriteNumber("id", 1000 + i);
                writer.WriteString("text", chunk);
                writer.WriteNumber("logprob", -0.25);
                writer.WriteBoolean("special", false);
                writer.WriteEndObject();
                if (last)
                {
                    writer.WriteString("generated_text", choice.Text);
                    writer.WriteStartObject("details");
                    writer.WriteString("finish_reason", NativeFinishReason(choice));
                    writer.WriteNumber("generated_tokens", script.Usage?.OutputTokens ?? choice.TextChunks.Count);
                    writer.WriteNull("seed");
                    if (script.Usage is { } usage)
                    {
                        writer.WriteNumber("input_length", usage.InputTokens);
                    }

                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteNull("generated_text");
                    writer.WriteNull("details");
                }

                writer.WriteEndObject();
            }) + "\n\n");
        }

        return frames;
    }

    /// <inheritdoc/>
    public override EmulatorResponse RenderError(EmulatorFault fault, RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return new EmulatorResponse(fault.StatusCode, ErrorBody(fault));
    }

    /// <inheritdoc/>
    public override string RenderErrorEvent(EmulatorFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        return "data:" + ErrorBody(fault) + "\n\n";
    }

    /// <inheritdoc/>
    public override void AddResponseHeaders(EmulatorScript script, IDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(script);
        ArgumentNullException.ThrowIfNull(headers);
        if (SendTokenHeaders && script.Usage is { } usage)
        {
            headers["x-prompt-tokens"] = usage.InputTokens.ToString(CultureInfo.InvariantCulture);
            headers["x-generated-tokens"] = usage.OutputTokens.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static bool IsNative(RecordedRequest request) =>
        request.Method == "POST" && (request.Path.EndsWith("/generate", StringComparison.Ordinal) || request.Path.EndsWith("/generate_stream", StringComparison.Ordinal));

    /// <summary>TGI's native finish reasons: a plain stop is <c>eos_token</c>; <c>stop_sequence</c>, <c>eos_token</c> and <c>length</c> pass through.</summary>
    private static string NativeFinishReason(ScriptedChoice choice) => choice.EffectiveFinishReason switch
    {
        "length" => "length",
        "stop_sequence" => "stop_sequence",
        _ => "eos_token",
    };

    private static string ErrorBody(EmulatorFault fault) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("error", fault.Message ?? fault.StatusCode switch
        {
            401 => "Invalid username or password.",
            422 => "Input validation error: `inputs` must have less than 4096 tokens.",
            429 => "Model is overloaded",
            424 => "Request failed during generation",
            _ => "Request failed during generation: Server error",
        });
        writer.WriteString("error_type", fault.Type ?? fault.StatusCode switch
        {
            422 or 400 => "validation",
            429 => "overloaded",
            424 => "generation",
            401 or 403 => "authentication",
            404 => "not_found",
            _ => "incomplete_generation",
        });
        writer.WriteEndObject();
    });

    /// <summary>The Messages API as TGI writes it: no response id, and <c>stop</c> (not <c>tool_calls</c>) on tool-call turns.</summary>
    private static string TgiChatDifferences(string json) =>
        ResponseIdPattern().Replace(json, "$1\"\"").Replace("\"finish_reason\":\"tool_calls\"", "\"finish_reason\":\"stop\"", StringComparison.Ordinal);

    [GeneratedRegex("^((?:data: )?\\{\"id\":)\"[^\"]*\"", RegexOptions.CultureInvariant)]
    private static partial Regex ResponseIdPattern();
}
