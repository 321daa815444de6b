using System.Text;
using System.Text.Json;

namespace Mellea.Cli.Output;

/// <summary>
/// Writes <c>--json</c>: one JSON document per run. For chat: <c>text</c>, <c>finish_reasons</c>, <c>usage</c>,
/// <c>response_model</c>, <c>response_id</c>. For raw: <c>results</c> (one such entry per prompt, in prompt order) and the
/// total <c>usage</c>. Names are snake_case like the telemetry's; absent values are <c>null</c>, so scripts can rely on every key.
/// </summary>
internal static class JsonAnswerWriter
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true };

    /// <summary>The document of a chat answer.</summary>
    /// <param name="text">The answer's text.</param>
    /// <param name="metadata">The answer's metadata.</param>
    public static string Chat(string text, GenerationMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(metadata);
        return Write(writer => WriteEntry(writer, text, metadata.FinishReasons, metadata.Usage, metadata));
    }

    /// <summary>The document of a raw batch.</summary>
    /// <param name="response">The batch.</param>
    public static string Raw(RawCompletionResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("results");
            foreach (var completion in response.Completions.OrderBy(completion => completion.PromptIndex))
            {
                WriteEntry(writer, completion.Text, completion.FinishReason is { } reason ? [reason] : [], completion.Usage, response.Metadata, completion.PromptIndex);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("usage");
            WriteUsage(writer, response.Metadata.Usage ?? SumUsage(response.Completions));
            writer.WriteString("response_model", response.Metadata.ResponseModel);
            writer.WriteString("response_id", response.Metadata.ResponseId);
            writer.WriteEndObject();
        });
    }

    private static void WriteEntry(Utf8JsonWriter writer, string text, IReadOnlyList<FinishReason> finishReasons, UsageDetails? usage, GenerationMetadata metadata, int? promptIndex = null)
    {
        writer.WriteStartObject();
        if (promptIndex is { } index)
        {
            writer.WriteNumber("prompt_index", index);
        }

        writer.WriteString("text", text);
        writer.WriteStartArray("finish_reasons");
        foreach (var reason in finishReasons)
        {
            writer.WriteStringValue(reason.Value);
        }

        writer.WriteEndArray();
        writer.WritePropertyName("usage");
        WriteUsage(writer, usage);
        writer.WriteString("response_model", metadata.ResponseModel);
        writer.WriteString("response_id", metadata.ResponseId);
        writer.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter writer, UsageDetails? usage)
    {
        if (usage is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        WriteCount(writer, "input_tokens", usage.InputTokens);
        WriteCount(writer, "output_tokens", usage.OutputTokens);
        WriteCount(writer, "total_tokens", usage.TotalTokens ?? (usage.InputTokens + usage.OutputTokens));
        writer.WriteEndObject();
    }

    private static void WriteCount(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } count)
        {
            writer.WriteNumber(name, count);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static UsageDetails? SumUsage(IReadOnlyList<RawCompletion> completions)
    {
        UsageDetails? total = null;
        foreach (var usage in completions.Select(completion => completion.Usage).OfType<UsageDetails>())
        {
            total ??= new UsageDetails();
            total.Add(usage);
        }

        return total;
    }

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Indented))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
