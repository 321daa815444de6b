using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Mellea.Testing;

/// <summary>
/// What the <see cref="ProviderEmulator"/> answers to one request, independent of the wire format: choices (text chunks, tool calls,
/// finish reasons), usage, ids, extra headers, timing (a delay before the first byte and between chunks), and an optional
/// <see cref="EmulatorFault"/>. The format that handles the request renders it; the same script can be answered streamed or not.
/// </summary>
/// <remarks>
/// A script can also replay a real payload byte for byte (<see cref="FromFixture"/>): the body, or the stream's events, are sent as
/// they are, with the script's timing and faults still applied per event.
/// </remarks>
public sealed partial class EmulatorScript
{
    /// <summary>The choices; one for most answers, more for <c>n</c> &gt; 1 or a raw batch.</summary>
    public IList<ScriptedChoice> Choices { get; } = [];

    /// <summary>The response id; <see langword="null"/> lets the format make one up.</summary>
    public string? ResponseId { get; set; }

    /// <summary>The model the response reports; <see langword="null"/> echoes the requested model.</summary>
    public string? Model { get; set; }

    /// <summary>The usage, or <see langword="null"/> for none.</summary>
    public ScriptedUsage? Usage { get; set; }

    /// <summary>Extra response headers (request ids, rate limits, <c>x-litellm-*</c>).</summary>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>A delay before the response headers are sent (a slow first byte).</summary>
    public TimeSpan FirstByteDelay { get; set; }

    /// <summary>A delay between stream chunks.</summary>
    public TimeSpan ChunkDelay { get; set; }

    /// <summary>A fault to play instead of, or during, the answer.</summary>
    public EmulatorFault? Fault { get; set; }

    /// <summary>Send the choices of a non-streamed answer in reverse index order (as TGI does for batches), to test sorting by index.</summary>
    public bool ReverseChoiceOrder { get; set; }

    /// <summary>A recorded body replayed as it is, instead of rendering the choices.</summary>
    public byte[]? RawBody { get; set; }

    /// <summary>Recorded stream events (or NDJSON lines) replayed as they are, each with its own line endings.</summary>
    public IList<string>? RawFrames { get; set; }

    /// <summary>The status of a replayed body.</summary>
    public int RawStatusCode { get; set; } = 200;

    /// <summary>The content type of a replayed body or stream.</summary>
    public string? RawContentType { get; set; }

    /// <summary>The first choice, created on first use.</summary>
    public ScriptedChoice FirstChoice
    {
        get
        {
            if (Choices.Count == 0)
            {
                Choices.Add(new ScriptedChoice());
            }

            return Choices[0];
        }
    }

    /// <summary>An answer with one choice whose text arrives in <paramref name="chunks"/>.</summary>
    /// <param name="chunks">The text chunks.</param>
    public static EmulatorScript Text(params string[] chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        var script = new EmulatorScript();
        foreach (var chunk in chunks)
        {
            script.FirstChoice.TextChunks.Add(chunk);
        }

        return script;
    }

    /// <summary>An answer with one choice per text (<c>n</c> &gt; 1, or one completion per prompt of a raw batch).</summary>
    /// <param name="texts">One text per choice, in index order.</param>
    public static EmulatorScript MultipleChoices(params string[] texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var script = new EmulatorScript();
        foreach (var text in texts)
        {
            var choice = new ScriptedChoice();
            choice.TextChunks.Add(text);
            script.Choices.Add(choice);
        }

        return script;
    }

    /// <summary>An answer whose only choice calls one tool.</summary>
    /// <param name="id">The call id.</param>
    /// <param name="name">The tool.</param>
    /// <param name="argumentChunks">The arguments JSON, in stream fragments.</param>
    public static EmulatorScript ToolCall(string id, string name, params string[] argumentChunks)
    {
        var script = new EmulatorScript();
        script.FirstChoice.ToolCalls.Add(new ScriptedToolCall(id, name, argumentChunks));
        return script;
    }

    /// <summary>A fault alone: no answer.</summary>
    /// <param name="fault">The fault.</param>
    public static EmulatorScript Failing(EmulatorFault fault) => new() { Fault = fault ?? throw new ArgumentNullException(nameof(fault)) };

    /// <summary>
    /// Replays a recorded payload (for example a file of shared/fixtures): a <c>.sse</c> file event by event, an <c>.ndjson</c> file
    /// line by line, any other file as one body. The status is read from an <c>error_NNN_</c> name prefix (else 200), and the headers
    /// of a sibling <c>&lt;name&gt;.response_headers.json</c> recording are added when it exists.
    /// </summary>
    /// <param name="path">The file.</param>
    public static EmulatorScript FromFixture(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var script = new EmulatorScript();
        var fileName = Path.GetFileName(path);
        var status = ErrorStatusPattern().Match(fileName);
        if (status.Success)
        {
            script.RawStatusCode = int.Parse(status.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (fileName.EndsWith(".sse", StringComparison.OrdinalIgnoreCase))
        {
            script.RawFrames = SplitEvents(File.ReadAllText(path));
            script.RawContentType = "text/event-stream; charset=utf-8";
        }
        else if (fileName.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase))
        {
            script.RawFrames = [.. File.ReadAllText(path).Split('\n').Where(l => l.Length > 0).Select(l => l + "\n")];
            script.RawContentType = "application/x-ndjson";
        }
        else
        {
            script.RawBody = File.ReadAllBytes(path);
            script.RawContentType = "application/json";
        }

        var stem = StemPattern().Replace(fileName, string.Empty);
        var headersFile = Path.Combine(Path.GetDirectoryName(path) ?? ".", stem + ".response_headers.json");
        if (File.Exists(headersFile))
        {
            script.WithHeadersFromFixture(headersFile);
        }

        return script;
    }

    /// <summary>
    /// Adds the response headers of a recording: a <c>.response_headers.json</c> file (<c>{"StatusCode", "ResponseHeaders"}</c>) or a
    /// text file of <c>name: value</c> lines. Framing headers (content type and length, transfer encoding, connection) are skipped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithHeadersFromFixture(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var text = File.ReadAllText(path);
        if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.TryGetProperty("ResponseHeaders", out var headers))
            {
                foreach (var header in headers.EnumerateObject())
                {
                    var value = header.Value.ValueKind == JsonValueKind.Array
                        ? string.Join(", ", header.Value.EnumerateArray().Select(v => v.GetString()))
                        : header.Value.GetString();
                    AddRecordedHeader(header.Name, value);
                }
            }
        }
        else
        {
            foreach (var line in text.Split('\n'))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    AddRecordedHeader(line[..colon].Trim(), line[(colon + 1)..].Trim());
                }
            }
        }

        return this;
    }

    /// <summary>Sets the usage.</summary>
    /// <param name="inputTokens">Input tokens.</param>
    /// <param name="outputTokens">Output tokens.</param>
    /// <param name="cachedInputTokens">Cached input tokens.</param>
    /// <param name="reasoningOutputTokens">Reasoning output tokens.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithUsage(int inputTokens, int outputTokens, int? cachedInputTokens = null, int? reasoningOutputTokens = null)
    {
        Usage = new ScriptedUsage { InputTokens = inputTokens, OutputTokens = outputTokens, CachedInputTokens = cachedInputTokens, ReasoningOutputTokens = reasoningOutputTokens };
        return this;
    }

    /// <summary>Sets the response id and model.</summary>
    /// <param name="responseId">The response id.</param>
    /// <param name="model">The model the response reports.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithIdentity(string? responseId, string? model)
    {
        ResponseId = responseId;
        Model = model;
        return this;
    }

    /// <summary>Sets the first choice's finish reason (neutral OpenAI vocabulary).</summary>
    /// <param name="finishReason">The finish reason.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithFinishReason(string finishReason)
    {
        FirstChoice.FinishReason = finishReason;
        return this;
    }

    /// <summary>Adds a response header.</summary>
    /// <param name="name">The header.</param>
    /// <param name="value">Its value.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithHeader(string name, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Headers[name] = value ?? throw new ArgumentNullException(nameof(value));
        return this;
    }

    /// <summary>Sets the delay between stream chunks. Keep it tiny in tests.</summary>
    /// <param name="delay">The delay.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithChunkDelay(TimeSpan delay)
    {
        ChunkDelay = delay;
        return this;
    }

    /// <summary>Sets the delay before the first byte.</summary>
    /// <param name="delay">The delay.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithFirstByteDelay(TimeSpan delay)
    {
        FirstByteDelay = delay;
        return this;
    }

    /// <summary>Sets the fault.</summary>
    /// <param name="fault">The fault.</param>
    /// <returns>This script.</returns>
    public EmulatorScript WithFault(EmulatorFault fault)
    {
        Fault = fault ?? throw new ArgumentNullException(nameof(fault));
        return this;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        RawBody is not null || RawFrames is not null ? "replayed recording" : $"script ({Choices.Count} choice(s){(Fault is null ? string.Empty : ", " + Fault)})";

    private static List<string> SplitEvents(string text)
    {
        // Events end at a blank line; each frame keeps its own terminator so the replay is byte-exact. A last event without a
        // trailing blank line stays as it is.
        var frames = new List<string>();
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = 0;
        while (start < normalized.Length)
        {
            var end = normalized.IndexOf("\n\n", start, StringComparison.Ordinal);
            if (end < 0)
            {
                frames.Add(normalized[start..]);
                break;
            }

            frames.Add(normalized[start..(end + 2)]);
            start = end + 2;
        }

        // Extra blank lines between events are kept with the event before them.
        for (var i = frames.Count - 1; i > 0; i--)
        {
            if (frames[i].Trim('\n').Length == 0)
            {
                frames[i - 1] += frames[i];
                frames.RemoveAt(i);
            }
        }

        return frames;
    }

    private void AddRecordedHeader(string name, string? value)
    {
        if (value is null
            || name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Date", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Server", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Alt-Svc", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        Headers[name] = value;
    }

    [GeneratedRegex(@"^error_(\d{3})_", RegexOptions.CultureInvariant)]
    private static partial Regex ErrorStatusPattern();

    [GeneratedRegex(@"(\.response)?\.(json|sse|ndjson)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex StemPattern();
}
